package io.fluxbus.redis;

import io.fluxbus.LifecycleEvent;
import java.time.Instant;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/**
 * The lifecycle events the Redis engine adds to the core's: connection lost and back, and events received from
 * Redis that could not be handed to local subscribers. Hot; emitting costs nothing when nobody listens. These
 * events are rare, so emission is serialized with a lock rather than a lock-free queue.
 */
final class EngineEvents {

  private final String engine;
  private final Sinks.Many<LifecycleEvent> sink = Sinks.unsafe().many().multicast().directBestEffort();

  EngineEvents(String engine) {
    this.engine = engine;
  }

  Flux<LifecycleEvent> flux() {
    return sink.asFlux();
  }

  void emit(LifecycleEvent.Type type, String eventId, String reason) {
    if (sink.currentSubscriberCount() == 0) {
      return;
    }
    LifecycleEvent event = new LifecycleEvent(type, engine, null, null, eventId, reason, Instant.now());
    synchronized (this) {
      sink.tryEmitNext(event);
    }
  }
}
