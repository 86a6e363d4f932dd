package io.fluxbus.r2dbc;

import io.fluxbus.Event;
import io.fluxbus.internal.log.LogItem;
import io.fluxbus.spi.LogConsumer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The acknowledgement of a settled group batch: for each partition, the cursor moves past the longest prefix of
 * settled rows (a row handed back, because the consumer closed, ends the prefix: it and what follows are read
 * again), and the dead letters of that prefix are appended in the same statement ({@link
 * GroupStatements#acknowledge}), guarded by owner and fence. So a letter exists if and only if the cursor passed its
 * event, and a member that lost a partition acknowledges nothing in it.
 */
final class AckBatch {

  /** What became of one row. */
  record Outcome(boolean settled, Event<Object> letter, String eventId) {
    /** Settled with nothing to append: handled, failed without a dead-letter topic, or passed by. */
    static final Outcome PASSED = new Outcome(true, null, null);
    /** Handed back: leave it unacknowledged. */
    static final Outcome RETURNED = new Outcome(false, null, null);

    /** Settled by appending {@code letter}; {@code eventId} is the failed event's, null for an unreadable row. */
    static Outcome letter(Event<Object> letter, String eventId) {
      return new Outcome(true, letter, eventId);
    }
  }

  private record Letter(int partition, Event<Object> event, String failedId) {}

  /** Partition to (fence, new cursor), in partition order. */
  private final Map<Integer, Long> fences = new LinkedHashMap<>();
  private final Map<Integer, LogCursor> cursors = new LinkedHashMap<>();
  private final List<Letter> letters = new ArrayList<>();
  /** Positions (in the items given) of the rows this acknowledgement passes. */
  private final List<Integer> included = new ArrayList<>();

  AckBatch(List<LogItem<LogRow>> items, List<Outcome> outcomes) {
    Map<Integer, Boolean> open = new HashMap<>();
    for (int i = 0; i < items.size(); i++) {
      LogRow row = items.get(i).entry();
      Outcome outcome = outcomes.get(i);
      int partition = row.partition();
      if (!open.computeIfAbsent(partition, p -> true)) {
        continue;
      }
      if (!outcome.settled()) {
        open.put(partition, false);
        continue;
      }
      fences.put(partition, row.fence());
      cursors.put(partition, row.cursor());
      included.add(i);
      if (outcome.letter() != null) {
        letters.add(new Letter(partition, outcome.letter(), outcome.eventId()));
      }
    }
  }

  /** Whether some partition returned as many rows as were asked for, so more may be waiting. */
  static boolean anyPartitionFull(List<LogRow> rows, int limit) {
    Map<Integer, Integer> counts = new HashMap<>();
    for (LogRow row : rows) {
      if (counts.merge(row.partition(), 1, Integer::sum) >= limit) {
        return true;
      }
    }
    return false;
  }

  /** Positions, in the items it was made of, of the rows this acknowledgement moves the cursors past. */
  List<Integer> included() {
    return included;
  }

  /** True when no cursor moves. */
  boolean isEmpty() {
    return cursors.isEmpty();
  }

  /** The partitions whose cursor this acknowledgement moves. */
  Set<Integer> partitions() {
    return cursors.keySet();
  }

  /** Runs the acknowledgement; emits the partitions whose cursor moved (the others were fenced out). */
  Mono<Set<Integer>> execute(PostgresSession session, String group, String pattern, String member) {
    int size = cursors.size();
    Integer[] partitions = cursors.keySet().toArray(Integer[]::new);
    Long[] fenceValues = new Long[size];
    String[] txs = new String[size];
    Long[] positions = new Long[size];
    for (int i = 0; i < size; i++) {
      fenceValues[i] = fences.get(partitions[i]);
      txs[i] = cursors.get(partitions[i]).tx();
      positions[i] = cursors.get(partitions[i]).position();
    }
    int count = letters.size();
    Integer[] sources = new Integer[count];
    String[] ids = new String[count];
    String[] topics = new String[count];
    String[] keys = new String[count];
    String[] bodies = new String[count];
    for (int i = 0; i < count; i++) {
      Event<Object> stamped = session.stamp(letters.get(i).event());
      sources[i] = letters.get(i).partition();
      ids[i] = stamped.id();
      topics[i] = stamped.topic();
      keys[i] = stamped.key();
      bodies[i] = session.codec().encodeToString(stamped);
    }
    return session.database().withConnectionMany(c -> Flux.from(c.createStatement(session.groups().acknowledge)
                .bind(0, group).bind(1, pattern).bind(2, member)
                .bind(3, partitions).bind(4, fenceValues).bind(5, txs).bind(6, positions)
                .bind(7, sources).bind(8, ids).bind(9, topics).bind(10, keys).bind(11, bodies).execute())
            .flatMap(result -> result.map((row, meta) -> row.get("partition_no", Integer.class))))
        .collect(java.util.TreeSet<Integer>::new, Set::add)
        .map(Set::copyOf);
  }

  /** Whether the acknowledgement appended any dead letter (one of a partition whose cursor moved). */
  boolean appendedLetters(Set<Integer> acked) {
    return letters.stream().anyMatch(letter -> acked.contains(letter.partition()));
  }

  /** Reports each dead letter: appended with its acknowledgement, or not, because another member took over. */
  void reportLetters(LogConsumer consumer, Set<Integer> acked) {
    for (Letter letter : letters) {
      String id = letter.failedId() != null ? letter.failedId() : letter.event().id();
      consumer.deadLettered(id, acked.contains(letter.partition())
          ? "dead-lettered to '" + letter.event().topic() + "' with its acknowledgement"
          : "not dead-lettered: its partition passed to another member, which handles the event again");
    }
  }
}
