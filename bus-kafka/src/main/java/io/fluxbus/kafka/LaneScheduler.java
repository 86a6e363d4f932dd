package io.fluxbus.kafka;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.IntSupplier;
import java.util.function.Predicate;
import reactor.core.publisher.Mono;

/**
 * Runs items that stream in (records of a log, in log order) in per-key lanes: items of one lane one at a time in
 * the order they arrived, up to {@code width} items at once over all lanes, lanes taking turns. An item whose
 * settling emits {@code false} was left unsettled (its consumer closed): the items queued behind it in its lane are
 * left too, without running, so that whoever reads them again finds them in order.
 *
 * <p>Each item ends exactly once, reported to {@code ended} with whether it was settled: after its settling
 * completed, when it is left behind a left item, or when {@link #abandon} removes it before it ran. Thread-safe:
 * {@link #submit} and {@link #abandon} from any thread; settling starts on the thread that submitted or on the
 * thread where the previous item of some lane ended, outside the scheduler's lock.
 *
 * @param <T> the items
 */
final class LaneScheduler<T> {

  /** What happens to an item once it ends. */
  interface Ended<T> {
    void ended(T item, boolean settled);
  }

  private final Function<T, Mono<Boolean>> settle;
  private final Ended<T> ended;
  private final IntSupplier width;
  private final Object lock = new Object();
  /** Lanes with items waiting or running; a lane is here from its first item until it is empty and idle. */
  private final Map<Object, Lane<T>> lanes = new HashMap<>();
  /** Lanes with an item waiting and none running, in the order they became ready. */
  private final ArrayDeque<Lane<T>> ready = new ArrayDeque<>();
  private int running;
  private int queued;

  /**
   * @param width how many items may run at once, read whenever one could start (at least 1 is used)
   * @param settle settles one item; emits whether it was settled (false: left for a later reader); must not fail
   * @param ended told once per item when it ended
   */
  LaneScheduler(IntSupplier width, Function<T, Mono<Boolean>> settle, Ended<T> ended) {
    this.width = Objects.requireNonNull(width, "width");
    this.settle = Objects.requireNonNull(settle, "settle");
    this.ended = Objects.requireNonNull(ended, "ended");
  }

  /**
   * Queues {@code item} in {@code lane} and starts what may start.
   *
   * @param lane the item's lane (events with one key), or null for an item that shares its lane with nobody
   */
  void submit(Object lane, T item) {
    synchronized (lock) {
      Object key = lane == null ? new Object() : lane;
      Lane<T> queue = lanes.computeIfAbsent(key, Lane::new);
      queue.items.add(item);
      queued++;
      if (!queue.running && queue.items.size() == 1) {
        ready.add(queue);
      }
    }
    drain();
  }

  /**
   * Removes every queued item {@code which} selects that has not started; each ends unsettled. Running items run on.
   */
  void abandon(Predicate<T> which) {
    java.util.List<T> removed = new java.util.ArrayList<>();
    synchronized (lock) {
      for (Iterator<Lane<T>> it = lanes.values().iterator(); it.hasNext(); ) {
        Lane<T> lane = it.next();
        lane.items.removeIf(item -> {
          if (which.test(item)) {
            removed.add(item);
            return true;
          }
          return false;
        });
        if (lane.items.isEmpty() && !lane.running) {
          ready.remove(lane);
          it.remove();
        }
      }
      queued -= removed.size();
    }
    removed.forEach(item -> ended.ended(item, false));
  }

  /** Items queued and not started. */
  int queued() {
    synchronized (lock) {
      return queued;
    }
  }

  /** Items running now. */
  int running() {
    synchronized (lock) {
      return running;
    }
  }

  private void drain() {
    while (true) {
      T next;
      Lane<T> lane;
      synchronized (lock) {
        if (running >= Math.max(1, width.getAsInt()) || ready.isEmpty()) {
          return;
        }
        lane = ready.poll();
        next = lane.items.poll();
        lane.running = true;
        queued--;
        running++;
      }
      run(lane, next);
    }
  }

  private void run(Lane<T> lane, T item) {
    Mono<Boolean> outcome;
    try {
      outcome = settle.apply(item);
    } catch (RuntimeException unexpected) {
      outcome = Mono.just(false);
    }
    outcome.defaultIfEmpty(false).onErrorReturn(false).subscribe(settled -> finish(lane, item, settled));
  }

  private void finish(Lane<T> lane, T item, boolean settled) {
    java.util.List<T> left = java.util.List.of();
    synchronized (lock) {
      running--;
      lane.running = false;
      if (!settled && !lane.items.isEmpty()) {
        left = new java.util.ArrayList<>(lane.items);
        queued -= left.size();
        lane.items.clear();
      }
      if (lane.items.isEmpty()) {
        lanes.remove(lane.key, lane);
      } else {
        ready.add(lane);
      }
    }
    ended.ended(item, settled);
    left.forEach(behind -> ended.ended(behind, false));
    drain();
  }

  private static final class Lane<T> {
    final Object key;
    final ArrayDeque<T> items = new ArrayDeque<>();
    boolean running;

    Lane(Object key) {
      this.key = key;
    }
  }
}
