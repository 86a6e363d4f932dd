package io.fluxbus.r2dbc;

import io.fluxbus.internal.log.LogItem;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The settling of one group batch as it goes, so that it can be acknowledged while the batch is still in hand: each
 * row's outcome once known, and which rows an acknowledgement already covered. {@link #next()} is the
 * acknowledgement of what settled since (per partition, the settled prefix of the rows not yet acknowledged); a
 * crash then redelivers only what was in hand, not the whole batch. Outcomes may arrive from any thread;
 * {@link #next()} and {@link #acknowledged} are called one at a time.
 */
final class AckProgress {

  private final List<LogItem<LogRow>> items;
  private final AtomicReferenceArray<AckBatch.Outcome> outcomes;
  private final boolean[] acknowledged;
  private List<Integer> pending = List.of();

  AckProgress(List<LogItem<LogRow>> items) {
    this.items = items;
    this.outcomes = new AtomicReferenceArray<>(items.size());
    this.acknowledged = new boolean[items.size()];
  }

  /** Row {@code index} settled. */
  void settled(int index, AckBatch.Outcome outcome) {
    outcomes.set(index, outcome);
  }

  /** The acknowledgement of the rows settled and not yet acknowledged (empty when none moves a cursor). */
  AckBatch next() {
    List<LogItem<LogRow>> rows = new ArrayList<>();
    List<AckBatch.Outcome> settled = new ArrayList<>();
    List<Integer> indices = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      if (acknowledged[i]) {
        continue;
      }
      AckBatch.Outcome outcome = outcomes.get(i);
      rows.add(items.get(i));
      settled.add(outcome == null ? AckBatch.Outcome.RETURNED : outcome);
      indices.add(i);
    }
    AckBatch batch = new AckBatch(rows, settled);
    List<Integer> covered = new ArrayList<>();
    for (int position : batch.included()) {
      covered.add(indices.get(position));
    }
    pending = covered;
    return batch;
  }

  /**
   * The acknowledgement last made by {@link #next()} ran: it moved the cursors of {@code partitions}; the others were
   * fenced out (another member owns them now and reads those rows again), so their rows are given up too, rather
   * than acknowledged, and reported, again at every tick.
   */
  void acknowledged(Set<Integer> partitions) {
    for (int index : pending) {
      acknowledged[index] = true;
    }
    pending = List.of();
  }
}
