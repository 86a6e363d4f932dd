package io.fluxbus.r2dbc;

import io.fluxbus.Event;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.util.concurrent.Queues;

/**
 * Appends the events of concurrent publishes, batching them without waiting: a publish is queued, and whenever
 * fewer than {@code maxInserts} inserts are running, one takes everything queued (up to {@value #MAX_BATCH} events)
 * into a single multi-row {@code INSERT} in its own transaction. An idle bus therefore appends each event at once,
 * alone; a busy one commits many events per transaction (one WAL flush instead of many), which is what lets publish
 * throughput exceed a one-row-per-transaction insert. All events of a batch commit or fail together; each publish
 * completes when its batch committed. Lock-free, thread-safe.
 */
final class LogAppender {

  static final int MAX_BATCH = 256;

  /** One queued event and the publish waiting for it. */
  private record Pending(Event<?> event, String json, String origin, MonoSink<Void> sink) {}

  private final Function<List<String[]>, Mono<Long>> insert;
  private final int maxInserts;
  private final Queue<Pending> queue = Queues.<Pending>unboundedMultiproducer().get();
  private final AtomicInteger wip = new AtomicInteger();
  private final AtomicInteger running = new AtomicInteger();

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
      while (!queue.isEmpty() && running.get() < maxInserts) {
        List<Pending> batch = new ArrayList<>();
        Pending next;
        while (batch.size() < MAX_BATCH && (next = queue.poll()) != null) {
          batch.add(next);
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
    // the next batch starts before these publishes go on, so that the queue never waits for their subscribers
    drain();
    for (Pending pending : batch) {
      if (error == null) {
        pending.sink().success();
      } else {
        pending.sink().error(error);
      }
    }
  }
}
