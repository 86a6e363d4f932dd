package io.fluxbus.internal.log;

import io.fluxbus.LifecycleEvent;
import io.fluxbus.internal.Failures;
import io.fluxbus.internal.LifecycleEmitter;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The lifecycle events a remote engine adds to its core's: a component (a connection, the log reader, a group) that
 * lost the server ({@code ENGINE_DISCONNECTED}, once per outage, with the error) and got it back
 * ({@code ENGINE_RECONNECTED}), events received from the server that no subscriber could get
 * ({@code EVENT_DROPPED}), and a group member's partitions gained and lost ({@code PARTITIONS_ASSIGNED},
 * {@code PARTITIONS_REVOKED}). Hot; emitting costs nothing when nobody listens. Thread-safe; emits through a
 * {@link LifecycleEmitter}, as the core does.
 */
public final class EngineEvents {

  private final LifecycleEmitter emitter;
  /** Per component: whether its last attempt failed. */
  private final Map<String, AtomicBoolean> down = new ConcurrentHashMap<>();

  /** Events of the engine named {@code engine} (the {@code engine} of each {@link LifecycleEvent}). */
  public EngineEvents(String engine) {
    this.emitter = new LifecycleEmitter(Objects.requireNonNull(engine, "engine must not be null"));
  }

  /** The events, hot: a subscriber sees those emitted after it subscribed. */
  public Flux<LifecycleEvent> flux() {
    return emitter.flux();
  }

  /** Emits one event that concerns no subscription. */
  public void emit(LifecycleEvent.Type type, String eventId, String reason) {
    emitter.emit(type, null, null, eventId, reason);
  }

  /** An event read from the server that no subscriber got, with why. */
  public void dropped(String eventId, String reason) {
    emit(LifecycleEvent.Type.EVENT_DROPPED, eventId, reason);
  }

  /**
   * A group member of {@code pattern} (subscription {@code subscriptionId}) gained {@code partitions}; nothing when
   * there are none. The reason reads {@code group 'g' partitions [0, 2]}, the same on every engine.
   */
  public void partitionsAssigned(String pattern, String subscriptionId, String group,
                                 Collection<Integer> partitions) {
    if (!partitions.isEmpty()) {
      emitter.emit(LifecycleEvent.Type.PARTITIONS_ASSIGNED, pattern, subscriptionId, null,
          "group '" + group + "' partitions " + new TreeSet<>(partitions));
    }
  }

  /**
   * A group member of {@code pattern} (subscription {@code subscriptionId}) lost {@code partitions}, with why (e.g.
   * {@code rebalance}); nothing when there are none. The reason reads {@code group 'g' partitions [1]: why}.
   */
  public void partitionsRevoked(String pattern, String subscriptionId, String group, Collection<Integer> partitions,
                                String why) {
    if (!partitions.isEmpty()) {
      emitter.emit(LifecycleEvent.Type.PARTITIONS_REVOKED, pattern, subscriptionId, null,
          "group '" + group + "' partitions " + new TreeSet<>(partitions) + ": " + why);
    }
  }

  /** A component's command or connection failed; reported once until that component is {@link #connected}. */
  public void disconnected(String component, String reason) {
    if (state(component).compareAndSet(false, true)) {
      emit(LifecycleEvent.Type.ENGINE_DISCONNECTED, null, component + ": " + reason);
    }
  }

  /** A component's command or connection succeeded; reported only after it was {@link #disconnected}. */
  public void connected(String component) {
    if (state(component).compareAndSet(true, false)) {
      emit(LifecycleEvent.Type.ENGINE_RECONNECTED, null, component);
    }
  }

  /**
   * One pass of a background component (a log reader, a group member, an upkeep loop), reported: disconnected (once
   * per outage) when it fails, with {@code afterwards} saying what happens next, and connected again when a later
   * pass succeeds. Never signals an error, so the component's loop goes on.
   *
   * @param describe how the error is described, e.g. with credentials masked ({@link Failures#describe} will do)
   */
  public Mono<Void> pass(String component, String afterwards, Publisher<?> pass,
                         Function<Throwable, String> describe) {
    return Flux.from(pass).then()
        .doOnSuccess(done -> connected(component))
        .onErrorResume(error -> {
          disconnected(component, describe.apply(error) + "; " + afterwards);
          return Mono.empty();
        });
  }

  private AtomicBoolean state(String component) {
    return down.computeIfAbsent(component, c -> new AtomicBoolean());
  }
}
