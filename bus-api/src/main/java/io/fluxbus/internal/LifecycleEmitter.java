package io.fluxbus.internal.delivery;

import io.fluxbus.LifecycleEvent;
import java.time.Instant;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.util.concurrent.Queues;

/**
 * The hot {@code lifecycle()} stream. Emits from any thread without locks or retry loops: events go through a
 * multi-producer queue and whichever thread wins the work-in-progress counter hands them to the sink. When
 * nobody listens, {@link #emit} returns before allocating anything.
 */
final class LifecycleEmitter {

  private final String engine;
  private final Sinks.Many<LifecycleEvent> sink = Sinks.unsafe().many().multicast().directBestEffort();
  private final Queue<LifecycleEvent> queue = Queues.<LifecycleEvent>unboundedMultiproducer().get();
  private final AtomicInteger wip = new AtomicInteger();

  LifecycleEmitter(String engine) {
    this.engine = engine;
  }

  Flux<LifecycleEvent> flux() {
    return sink.asFlux();
  }

  boolean listening() {
    return sink.currentSubscriberCount() > 0;
  }

  void emit(LifecycleEvent.Type type, String pattern, String subscriptionId, String eventId, String reason) {
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
