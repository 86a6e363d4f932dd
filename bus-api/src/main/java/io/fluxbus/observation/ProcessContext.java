package io.fluxbus.observation;

import io.fluxbus.Event;
import io.micrometer.observation.transport.Kind;
import io.micrometer.observation.transport.ReceiverContext;
import java.util.Objects;

/**
 * The context of a {@link FluxbusObservation#PROCESS} observation: a propagating handler reads the parent trace
 * context from the event's headers ({@code traceparent}, {@code tracestate}). Made by the engines.
 */
public final class ProcessContext extends ReceiverContext<Event<?>> {

  private final String engine;
  private final String pattern;
  private final String group;

  /**
   * A context for delivering {@code event} to a subscription on {@code pattern}.
   *
   * @param group the subscription's group, or null
   */
  public ProcessContext(Event<?> event, String engine, String pattern, String group) {
    super((carrier, key) -> carrier.headers().get(key), Kind.CONSUMER);
    setCarrier(Objects.requireNonNull(event, "event must not be null"));
    this.engine = Objects.requireNonNull(engine, "engine must not be null");
    this.pattern = Objects.requireNonNull(pattern, "pattern must not be null");
    this.group = group;
    setRemoteServiceName(engine);
  }

  /** The event delivered. */
  public Event<?> event() {
    return getCarrier();
  }

  /** The engine's name. */
  public String engine() {
    return engine;
  }

  /** The subscription's pattern. */
  public String pattern() {
    return pattern;
  }

  /** The subscription's group, or null for an ungrouped subscription. */
  public String group() {
    return group;
  }
}
