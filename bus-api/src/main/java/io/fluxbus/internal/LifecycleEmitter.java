package io.fluxbus.internal;

import io.fluxbus.LifecycleEvent;
import java.time.Instant;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.util.concurrent.Queues;

/**
 * A hot {@code lifecycle()} stream, the one every part of Fluxbus emits through (the delivery core, the engines'
 * connections and readers, the router). Emits from any thread without locks or retry loops: events go through a
 * multi-producer queue and whichever thread wins the work-in-progress counter hands them to the sink. When nobody
 * listens, {@link #emit} returns before allocating anything.
 */
public final class LifecycleEmitter {

  private final String engine;
  private final Sinks.Many<LifecycleEvent> sink = Sinks.unsafe().many().multicast().directBestEffort();
  private final Queue<LifecycleEvent> queue = Queues.<LifecycleEvent>unboundedMultiproducer().get();
  private final AtomicInteger wip = new AtomicInteger();

  /** Events of the engine named {@code engine} (the {@code engine} of each {@link LifecycleEvent}). */
  public LifecycleEmitter(String engine) {
    this.engine = engine;
  }

  /** The events, hot: a subscriber sees those emitted after it subscribed. */
  public Flux<LifecycleEvent> flux() {
    return sink.asFlux();
  }

  /** Whether anyone listens now. */
  public boolean listening() {
    return sink.currentSubscriberCount() > 0;
  }

  /** Emits one event, stamped now; nothing when nobody listens. Thread-safe, lock-free. */
  public void emit(LifecycleEvent.Type type, String pattern, String subscriptionId, String eventId, String reason) {
    if (!listening()) {
      return;
    }
    queue.offer(new LifecycleEvent(type, engine, pattern, subscriptionId, eventId, reason, Instant.now()));
    if (wip.getAndIncrement() != 0) {
      return;
    }
    int missed = 1;
    do {
      LifecycleEvent next;
      while ((next = queue.poll()) != null) {
        sink.tryEmitNext(next);
      }
      missed = wip.addAndGet(-missed);
    } while (missed != 0);
  }
}
