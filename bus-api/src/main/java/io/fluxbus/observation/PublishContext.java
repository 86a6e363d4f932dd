package io.fluxbus.observation;

import io.fluxbus.Event;
import io.micrometer.observation.transport.Kind;
import io.micrometer.observation.transport.SenderContext;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The context of a {@link FluxbusObservation#PUBLISH} observation. Its carrier collects what a propagating
 * handler (e.g. micrometer-tracing's) injects when the observation starts; the bus then writes the
 * {@code traceparent} and {@code tracestate} found there into the event it publishes. Made by the engines; not
 * thread-safe until the observation started.
 */
public final class PublishContext extends SenderContext<Map<String, String>> {

  private final Event<?> event;
  private final String engine;

  /** A context for publishing {@code event} on the engine named {@code engine}. */
  public PublishContext(Event<?> event, String engine) {
    super((carrier, key, value) -> {
      if (carrier != null) {
        carrier.put(key, value);
      }
    }, Kind.PRODUCER);
    this.event = Objects.requireNonNull(event, "event must not be null");
    this.engine = Objects.requireNonNull(engine, "engine must not be null");
    setCarrier(new LinkedHashMap<>());
    setRemoteServiceName(engine);
  }

  /** The event as the caller published it, before the trace context was written into it. */
  public Event<?> event() {
    return event;
  }

  /** The engine's name. */
  public String engine() {
    return engine;
  }
}
