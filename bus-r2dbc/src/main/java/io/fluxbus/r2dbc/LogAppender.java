package io.fluxbus.r2dbc;

import io.fluxbus.Event;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.util.concurrent.Queues;

/**
 * Appends the events of concurrent publishes, batching them without waiting: a publish is queued, and whenever fewer
 * than {@code maxInserts} inserts are running, one takes what is queued (up to {@value #MAX_BATCH} events; see the
 * order below) into a single multi-row {@code INSERT} in its own transaction. An idle bus therefore appends each event
 * at once, alone; a busy one commits many events per transaction (one WAL flush instead of many), which is what lets
 * publish throughput exceed a one-row-per-transaction insert. All events of a batch commit or fail together; each
 * publish completes when its batch committed. Lock-free, thread-safe.
 *
 * <p>Order: events of one key (keyless: of one topic) are appended, and start towards this bus's subscriptions, in
 * the order their publishes were subscribed. A running insert holds the keys of its events; an event whose key is held
 * is parked, and so is every later event of that key, while other keys go on into the next insert. An insert's keys
 * are released once it committed and its publishes went on, and the parked events are then taken first. So a key's
 * events never sit in two inserts at once, and a later insert of a key begins after the earlier one committed, taking
 * a greater transaction id: the log's order ({@code tx_id, position}) is the publish order.
 */
final class LogAppender {

  static final int MAX_BATCH = 256;

  /**
   * One queued event and the publish waiting for it.
   *
   * @param orderedBy what orders this event against others: its key, or its topic when it has none
   */
  private record Pending(Event<?> event, String json, String origin, MonoSink<Void> sink, String orderedBy) {

    Pending(Event<?> event, String json, String origin, MonoSink<Void> sink) {
      this(event, json, origin, sink, event.key() != null ? "k:" + event.key() : "t:" + event.topic());
    }
  }

  private final Function<List<String[]>, Mono<Long>> insert;
  private final int maxInserts;
  private final Queue<Pending> queue = Queues.<Pending>unboundedMultiproducer().get();
  private final AtomicInteger wip = new AtomicInteger();
  private final AtomicInteger running = new AtomicInteger();
  /** The keys of the running inserts' events ({@link Pending#orderedBy()}). */
  private final Set<String> held = ConcurrentHashMap.newKeySet();
  /** Keys released by inserts that ended, for the draining thread to look at. */
  private final Queue<String> releasedKeys = new ConcurrentLinkedQueue<>();
  /** Per key, the events taken from the queue while it was held, in queue order; only the draining thread. */
  private final Map<String, ArrayDeque<Pending>> parked = new HashMap<>();
  /** Released keys with parked events, in the order they were released; only the draining thread. */
  private final ArrayDeque<String> ready = new ArrayDeque<>();

  /**
   * @param insert inserts the columns given (event ids, topics, keys, origins, JSON), one statement; emits the rows
   *     inserted, or signals why it failed
   * @param maxInserts how many inserts may run at once
   */
  LogAppender(Function<List<String[]>, Mono<Long>> insert, int maxInserts) {
    this.insert = insert;
    this.maxInserts = maxInserts;
  }

  /** Appends one event; completes once its batch committed, or signals the batch's error. Lazy. */
  Mono<Void> append(Event<?> stamped, String json, String origin) {
    return Mono.create(sink -> {
      queue.offer(new Pending(stamped, json, origin, sink));
      drain();
    });
  }

  private void drain() {
    if (wip.getAndIncrement() != 0) {
      return;
    }
    int missed = 1;
    while (true) {
      while (running.get() < maxInserts) {
        List<Pending> batch = takeBatch();
        if (batch.isEmpty()) {
          break;
        }
        running.incrementAndGet();
        run(batch);
      }
      missed = wip.addAndGet(-missed);
      if (missed == 0) {
        return;
      }
    }
  }

  /**
   * The next insert's events: parked ones whose key was released first, then the queue's; an event whose key a
   * running insert holds, or that has parked events of its key before it, is parked. Holds the keys taken.
   */
  private List<Pending> takeBatch() {
    List<Pending> batch = new ArrayList<>();
    Set<String> taken = new HashSet<>();
    String key;
    while ((key = releasedKeys.poll()) != null) {
      if (parked.containsKey(key)) {
        ready.add(key);
      }
    }
    while (batch.size() < MAX_BATCH && (key = ready.peek()) != null) {
      ArrayDeque<Pending> waiting = parked.get(key);
      if (waiting == null || (held.contains(key) && !taken.contains(key))) {
        // taken already (listed twice), or held again by the insert that took part of it: its release lists it
        ready.poll();
        continue;
      }
      while (batch.size() < MAX_BATCH && !waiting.isEmpty()) {
        batch.add(waiting.poll());
      }
      taken.add(key);
      if (!waiting.isEmpty()) {
        break;
      }
      parked.remove(key);
      ready.poll();
    }
    Pending next;
    while (batch.size() < MAX_BATCH && (next = queue.poll()) != null) {
      key = next.orderedBy();
      ArrayDeque<Pending> waiting = parked.get(key);
      if (waiting != null) {
        waiting.add(next);
      } else if (!taken.contains(key) && held.contains(key)) {
        waiting = new ArrayDeque<>();
        waiting.add(next);
        parked.put(key, waiting);
      } else {
        batch.add(next);
        taken.add(key);
      }
    }
    held.addAll(taken);
    return batch;
  }

  private void run(List<Pending> batch) {
    int size = batch.size();
    String[] ids = new String[size];
    String[] topics = new String[size];
    String[] keys = new String[size];
    String[] origins = new String[size];
    String[] bodies = new String[size];
    for (int i = 0; i < size; i++) {
      Pending pending = batch.get(i);
      ids[i] = pending.event().id();
      topics[i] = pending.event().topic();
      keys[i] = pending.event().key();
      origins[i] = pending.origin();
      bodies[i] = pending.json();
    }
    Mono.defer(() -> insert.apply(List.of(ids, topics, keys, origins, bodies)))
        .subscribe(rows -> { }, error -> finish(batch, error), () -> finish(batch, null));
  }

  private void finish(List<Pending> batch, Throwable error) {
    running.decrementAndGet();
    try {
      // other keys' next insert starts before these publishes go on, so that it never waits for their subscribers
      drain();
      for (Pending pending : batch) {
        if (error == null) {
          pending.sink().success();
        } else {
          pending.sink().error(error);
        }
      }
    } finally {
      // these keys' next insert only now: a key's events start towards this bus's subscriptions in order, too
      // each key once: a second removal could release the key of an insert that took it meanwhile
      Set<String> keys = new LinkedHashSet<>();
      for (Pending pending : batch) {
        keys.add(pending.orderedBy());
      }
      for (String key : keys) {
        held.remove(key);
        releasedKeys.add(key);
      }
      drain();
    }
  }
}
