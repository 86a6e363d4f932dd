package io.fluxbus.spring;

import io.fluxbus.ConfigException;
import io.fluxbus.Event;
import java.lang.reflect.Method;
import org.springframework.core.ResolvableType;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * What a {@link FluxbusListener} method takes and returns, checked once at startup.
 *
 * @param shape how the method is called
 * @param payloadType the payload type {@code T} the events are converted to ({@code Object}: as published)
 */
record ListenerSignature(Shape shape, Class<?> payloadType) {

  /** The accepted shapes. */
  enum Shape {
    /** {@code Mono<Void> m(Event<T>)}. */
    EVENT_MONO(true, false),
    /** {@code Mono<Void> m(T)}. */
    PAYLOAD_MONO(false, false),
    /** {@code void m(Event<T>)}, run on boundedElastic. */
    EVENT_VOID(true, true),
    /** {@code void m(T)}, run on boundedElastic. */
    PAYLOAD_VOID(false, true),
    /** {@code Flux<?> m(Flux<Event<T>>)}. */
    PIPELINE(true, false);

    final boolean takesEvent;
    final boolean blocking;

    Shape(boolean takesEvent, boolean blocking) {
      this.takesEvent = takesEvent;
      this.blocking = blocking;
    }
  }

  static final String ACCEPTED = "accepted: Mono<Void> m(Event<T>), Mono<Void> m(T payload), void m(Event<T>), "
      + "void m(T payload), Flux<?> m(Flux<Event<T>>)";

  /** True for {@link Shape#PIPELINE}. */
  boolean isPipeline() {
    return shape == Shape.PIPELINE;
  }

  /**
   * Reads a method's signature.
   *
   * @param where the method as messages name it
   * @throws ConfigException naming the method and the accepted signatures
   */
  static ListenerSignature of(Method method, String where) {
    if (method.getParameterCount() != 1) {
      throw invalid(where, "takes " + method.getParameterCount() + " parameters; a listener takes exactly one");
    }
    ResolvableType parameter = ResolvableType.forMethodParameter(method, 0);
    ResolvableType returns = ResolvableType.forMethodReturnType(method);
    Class<?> returned = returns.toClass();
    Class<?> taken = parameter.toClass();
    if (Flux.class.isAssignableFrom(taken) || Flux.class.isAssignableFrom(returned)) {
      if (!Flux.class.equals(taken) || !Flux.class.isAssignableFrom(returned)) {
        throw invalid(where, "a pipeline takes a Flux<Event<T>> and returns a Flux");
      }
      ResolvableType element = parameter.getGeneric(0);
      if (!Event.class.equals(element.toClass())) {
        throw invalid(where, "a pipeline takes Flux<Event<T>>, not Flux<" + element + ">");
      }
      return new ListenerSignature(Shape.PIPELINE, payload(element.getGeneric(0), where));
    }
    boolean takesEvent = Event.class.equals(taken);
    Class<?> payloadType = takesEvent ? payload(parameter.getGeneric(0), where) : payload(parameter, where);
    if (void.class.equals(returned)) {
      return new ListenerSignature(takesEvent ? Shape.EVENT_VOID : Shape.PAYLOAD_VOID, payloadType);
    }
    if (Mono.class.equals(returned)) {
      Class<?> value = returns.getGeneric(0).resolve(Object.class);
      if (!Void.class.equals(value) && !Object.class.equals(value)) {
        throw invalid(where, "returns Mono<" + value.getSimpleName() + ">; a handler returns Mono<Void>");
      }
      return new ListenerSignature(takesEvent ? Shape.EVENT_MONO : Shape.PAYLOAD_MONO, payloadType);
    }
    throw invalid(where, "returns " + returns + "; a handler returns Mono<Void> or void, a pipeline a Flux");
  }

  private static Class<?> payload(ResolvableType type, String where) {
    Class<?> resolved = type.resolve(Object.class);
    if (resolved.isPrimitive()) {
      throw invalid(where, "takes a primitive " + resolved + "; use its wrapper or a record");
    }
    if (Mono.class.isAssignableFrom(resolved) || Flux.class.isAssignableFrom(resolved)) {
      throw invalid(where, "takes a " + resolved.getSimpleName() + " as payload");
    }
    return resolved;
  }

  private static ConfigException invalid(String where, String problem) {
    return new ConfigException(where + ": " + problem + "; " + ACCEPTED);
  }
}
