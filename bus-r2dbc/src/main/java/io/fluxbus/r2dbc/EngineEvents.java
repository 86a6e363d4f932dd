package io.fluxbus.r2dbc;

import io.fluxbus.LifecycleEvent;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/**
 * The engine's own lifecycle events, per component (listener, log reads, each durable group): the connection to
 * PostgreSQL lost ({@code ENGINE_DISCONNECTED}, once per outage, with the error) and regained
 * ({@code ENGINE_RECONNECTED}), and durable group handler failures. Hot; costs nothing when nobody listens.
 * Thread-safe.
 */
final class EngineEvents {

  private final String engine;
  private final Sinks.Many<LifecycleEvent> sink = Sinks.many().multicast().directBestEffort();
  /** Per component (the listener, log reads, each group): whether its last attempt failed. */
  private final Map<String, AtomicBoolean> down = new ConcurrentHashMap<>();

  EngineEvents(String engine) {
    this.engine = engine;
  }

  Flux<LifecycleEvent> flux() {
    return sink.asFlux();
  }

  /** A component's query or connection failed; reported once until that component {@link #connected}. */
  void disconnected(String what, Throwable error) {
    if (state(what).compareAndSet(false, true)) {
      emit(LifecycleEvent.Type.ENGINE_DISCONNECTED, what + ": " + error.getClass().getName() + ": "
          + error.getMessage());
    }
  }

  /** A component's query or connection succeeded; reported only after it was disconnected. */
  void connected(String what) {
    if (state(what).compareAndSet(true, false)) {
      emit(LifecycleEvent.Type.ENGINE_RECONNECTED, what);
    }
  }

  /** A row that is not a CloudEvent this codec reads: skipped, and reported as dropped with the error. */
  void undecodable(long position, Throwable error) {
    emit(LifecycleEvent.Type.EVENT_DROPPED, "log position " + position + " is not a readable CloudEvent: "
        + error.getMessage());
  }

  /** A durable group's handler failed its last attempt. */
  void handlerFailed(String pattern, String group, String eventId, String reason) {
    sink.tryEmitNext(new LifecycleEvent(LifecycleEvent.Type.HANDLER_FAILED, engine, pattern, "group:" + group,
        eventId, reason, Instant.now()));
  }

  private AtomicBoolean state(String component) {
    return down.computeIfAbsent(component, c -> new AtomicBoolean());
  }

  private void emit(LifecycleEvent.Type type, String reason) {
    // concurrent emitters lose the race harmlessly: these are reports, and the flag above already deduplicates
    sink.tryEmitNext(new LifecycleEvent(type, engine, null, null, null, reason, Instant.now()));
  }
}
