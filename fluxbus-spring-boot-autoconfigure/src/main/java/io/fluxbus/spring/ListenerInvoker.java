package io.fluxbus.spring;

import io.fluxbus.internal.observation.Observations;
import io.micrometer.observation.Observation;
import reactor.util.context.ContextView;
import io.fluxbus.Event;
import io.fluxbus.EventHandler;
import java.lang.reflect.InvocationTargetException;
import reactor.core.Exceptions;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Calls {@link FluxbusListener} methods: the one place where a listener's method is invoked. The bus observes each
 * call of the handler it is given (docs/architecture.md, "Tracing"); a blocking method, which runs on another
 * thread, is run inside the observation its {@code Mono}'s {@code Context} carries. Payloads are converted to the method's type {@code T} with
 * {@link Event#payloadAs}; a payload that does not convert fails that event like a failing handler.
 */
final class ListenerInvoker {

  private ListenerInvoker() {}

  /**
   * The handler for a handler-shaped listener: the method's {@code Mono}, or for a {@code void} method its call on
   * {@code Schedulers.boundedElastic()}. A method that throws, or returns null, fails the event.
   */
  static EventHandler handler(ListenerDefinition listener) {
    if (listener.signature().shape().blocking) {
      return event -> Mono.deferContextual(context -> Mono.fromRunnable(() -> inObservation(context,
              () -> invoke(listener, argument(listener, event))))
          .subscribeOn(Schedulers.boundedElastic())
          .then());
    }
    return event -> Mono.defer(() -> {
      Object result = invoke(listener, argument(listener, event));
      if (result == null) {
        return Mono.error(new IllegalStateException(listener.where() + " returned null instead of a Mono"));
      }
      return ((Mono<?>) result).then();
    });
  }

  /**
   * The pipeline's output for one run over {@code events}.
   *
   * @throws RuntimeException what the method threw while assembling the pipeline
   */
  static Flux<?> pipeline(ListenerDefinition listener, Flux<Event<Object>> events) {
    Object result = invoke(listener, events.map(event -> converted(listener, event)));
    if (result == null) {
      throw new IllegalStateException(listener.where() + " returned null instead of a Flux");
    }
    return (Flux<?>) result;
  }

  /** Runs {@code call} with the observation {@code context} carries in scope, if it carries one. */
  private static void inObservation(ContextView context, Runnable call) {
    if (context.getOrDefault(Observations.CONTEXT_KEY, null) instanceof Observation observation) {
      try (Observation.Scope scope = observation.openScope()) {
        call.run();
      }
    } else {
      call.run();
    }
  }

  private static Object argument(ListenerDefinition listener, Event<Object> event) {
    return listener.signature().shape().takesEvent ? converted(listener, event) : payload(listener, event);
  }

  private static Object payload(ListenerDefinition listener, Event<Object> event) {
    Class<?> type = listener.signature().payloadType();
    return type == Object.class ? event.payload() : event.payloadAs(type);
  }

  private static Event<Object> converted(ListenerDefinition listener, Event<Object> event) {
    Object payload = payload(listener, event);
    return payload == event.payload() ? event : new Event<>(event.id(), event.topic(), payload, event.key(),
        event.version(), event.source(), event.time(), event.correlationId(), event.causationId(), event.headers());
  }

  private static Object invoke(ListenerDefinition listener, Object argument) {
    try {
      return listener.method().invoke(listener.bean(), argument);
    } catch (InvocationTargetException e) {
      throw Exceptions.propagate(e.getCause());
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(listener.where() + " cannot be called: " + e.getMessage(), e);
    }
  }
}
