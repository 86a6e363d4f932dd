package io.fluxbus.internal.observation;

import io.fluxbus.Event;
import io.fluxbus.EventHandler;
import io.micrometer.observation.Observation;
import java.util.Objects;
import reactor.core.CoreSubscriber;
import reactor.core.Exceptions;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;

/**
 * One observed call of a handler: on each subscription (each attempt), a process observation starts, the handler is
 * called and its {@code Mono} subscribed while the observation is in scope (so the handler's synchronous work, a
 * {@code Mono.fromRunnable} body included, runs inside it), and {@link ObservedSubscriber} ends it.
 */
final class ProcessMono extends Mono<Void> {

  private final Observations observations;
  private final EventHandler handler;
  private final Event<Object> event;
  private final String pattern;
  private final String group;

  ProcessMono(Observations observations, EventHandler handler, Event<Object> event, String pattern, String group) {
    this.observations = observations;
    this.handler = handler;
    this.event = event;
    this.pattern = pattern;
    this.group = group;
  }

  @Override
  public void subscribe(CoreSubscriber<? super Void> actual) {
    Observation observation = observations.processObservation(event, pattern, group);
    ObservedSubscriber<Void> observed = new ObservedSubscriber<>(actual, observation);
    try (Observation.Scope scope = observation.openScope()) {
      Mono<Void> call;
      try {
        call = Objects.requireNonNull(handler.handle(event), "handler returned null");
      } catch (Throwable error) {
        Exceptions.throwIfJvmFatal(error);
        Operators.error(observed, error);
        return;
      }
      call.subscribe(observed);
    }
  }
}
