package io.fluxbus.internal.observation;

import io.fluxbus.Event;
import io.fluxbus.EventHandler;
import io.fluxbus.observation.FluxbusObservation;
import io.fluxbus.observation.FluxbusObservation.Keys;
import io.fluxbus.observation.ProcessContext;
import io.fluxbus.observation.PublishContext;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.util.context.ContextView;

/**
 * Observes one bus's publishes and deliveries in an {@link ObservationRegistry}. An engine holds one only when it
 * was given a registry that is not a no-op, so that a bus without one pays nothing per event; see
 * docs/architecture.md, "Tracing". Thread-safe.
 */
public final class Observations {

  /**
   * Where Reactor-aware Micrometer code (WebFlux, Reactor's {@code tap}) keeps the current observation in a Reactor
   * {@code Context}: {@code ObservationThreadLocalAccessor.KEY}, named here so that context-propagation need not be
   * on the class path.
   */
  public static final String CONTEXT_KEY = "micrometer.observation";

  /** The CloudEvents Distributed Tracing extension's attributes, carried as event headers. */
  static final String TRACEPARENT = "traceparent";
  static final String TRACESTATE = "tracestate";
  private static final List<String> PROPAGATED = List.of(TRACEPARENT, TRACESTATE, "baggage", "b3");

  private static final String NO_GROUP = "none";

  private final ObservationRegistry registry;
  private final String engine;
  private final String system;

  private Observations(ObservationRegistry registry, String engine, String system) {
    this.registry = registry;
    this.engine = engine;
    this.system = system;
  }

  /**
   * The observations of the engine named {@code engine}, of type {@code system}; null when {@code registry} is null
   * or {@link ObservationRegistry#NOOP}, so that callers skip observation altogether. A registry that is a no-op
   * only for now (no handler yet) is asked again at each publish and delivery.
   */
  public static Observations of(ObservationRegistry registry, String engine, String system) {
    if (registry == null || registry == ObservationRegistry.NOOP) {
      return null;
    }
    return new Observations(registry, Objects.requireNonNull(engine, "engine must not be null"),
        Objects.requireNonNull(system, "system must not be null"));
  }

  /**
   * Publishes through {@code publish} inside a {@link FluxbusObservation#PUBLISH} observation: its parent is the
   * observation in the subscriber's Reactor {@code Context}, else the registry's current one; the event published
   * carries the observation's trace context as {@code traceparent}/{@code tracestate} headers. The observation ends
   * with the publish's result, error or cancellation. Lazy, like {@code publish}. With no parent, an event that
   * already carries a {@code traceparent} keeps it.
   *
   * @param publish the engine's publish (or outbox append, or scheduling) of the event it is given
   */
  public <T, R> Mono<R> publish(Event<T> event, Function<Event<T>, Mono<R>> publish) {
    if (registry.isNoop()) {
      return publish.apply(event);
    }
    return Mono.deferContextual(context -> {
      PublishContext publishContext = new PublishContext(event, engine);
      Observation parent = parent(context);
      Observation observation = Observation.createNotStarted(FluxbusObservation.PUBLISH.getName(),
              () -> publishContext, registry)
          .contextualName(FluxbusObservation.PUBLISH.getContextualName())
          .lowCardinalityKeyValue(Keys.MESSAGING_SYSTEM.asString(), system)
          .lowCardinalityKeyValue(Keys.OPERATION_TYPE.asString(), "send")
          .lowCardinalityKeyValue(Keys.OPERATION_NAME.asString(), "publish")
          .lowCardinalityKeyValue(Keys.ENGINE.asString(), engine)
          .highCardinalityKeyValue(Keys.DESTINATION.asString(), event.topic())
          .highCardinalityKeyValue(Keys.MESSAGE_ID.asString(), event.id())
          .parentObservation(parent)
          .start();
      // an event that already carries a trace (a CloudEvent posted with one, an event passed on) and is published
      // with no observation around keeps it: its deliveries continue that trace rather than a new one
      boolean keep = parent == null && event.headers().containsKey(TRACEPARENT);
      Mono<R> result;
      try {
        result = publish.apply(keep ? event : withTraceContext(event, publishContext.getCarrier()));
      } catch (Throwable error) {
        observation.error(error);
        observation.stop();
        throw error;
      }
      return inside(result, observation);
    });
  }

  /**
   * {@code handler}, each call of which (each attempt, when the subscription retries) runs inside a
   * {@link FluxbusObservation#PROCESS} observation: in scope while the handler is called and its {@code Mono}
   * subscribed, in that {@code Mono}'s Reactor {@code Context} (so that a publish the handler makes is its child),
   * and in scope again while its end is signalled; ended when that {@code Mono} ends. A handler that throws or
   * returns null fails its observation too.
   *
   * @param group the subscription's group, or null
   */
  public EventHandler process(EventHandler handler, String pattern, String group) {
    return event -> registry.isNoop() ? handler.handle(event) : new ProcessMono(this, handler, event, pattern, group);
  }

  /**
   * {@code events}, each of which its subscriber receives inside a {@link FluxbusObservation#PROCESS} observation,
   * in scope during {@code onNext} (what the subscriber does there, synchronously, is inside it).
   *
   * @param group the subscription's group, or null
   */
  public <T> Flux<Event<T>> process(Flux<Event<T>> events, String pattern, String group) {
    return events.transform(Operators.<Event<T>, Event<T>>lift(
        (scannable, actual) -> new ProcessingSubscriber<>(actual, this, pattern, group)));
  }

  /**
   * {@code work} with {@code observation} in its Reactor {@code Context}, the observation ending with it: with its
   * error, its completion or its cancellation.
   */
  private static <R> Mono<R> inside(Mono<R> work, Observation observation) {
    return work
        .doOnError(observation::error)
        .doFinally(signal -> observation.stop())
        .contextWrite(inner -> inner.put(CONTEXT_KEY, observation));
  }

  /** Whether the registry observes nothing now (no handler). */
  boolean isNoop() {
    return registry.isNoop();
  }

  Observation processObservation(Event<?> event, String pattern, String group) {
    ProcessContext context = new ProcessContext(event, engine, pattern, group);
    return Observation.createNotStarted(FluxbusObservation.PROCESS.getName(), () -> context, registry)
        .contextualName(FluxbusObservation.PROCESS.getContextualName() + " " + pattern)
        .lowCardinalityKeyValue(Keys.MESSAGING_SYSTEM.asString(), system)
        .lowCardinalityKeyValue(Keys.OPERATION_TYPE.asString(), "process")
        .lowCardinalityKeyValue(Keys.OPERATION_NAME.asString(), "process")
        .lowCardinalityKeyValue(Keys.ENGINE.asString(), engine)
        .lowCardinalityKeyValue(Keys.PATTERN.asString(), pattern)
        .lowCardinalityKeyValue(Keys.CONSUMER_GROUP.asString(), group == null ? NO_GROUP : group)
        .highCardinalityKeyValue(Keys.DESTINATION.asString(), event.topic())
        .highCardinalityKeyValue(Keys.MESSAGE_ID.asString(), event.id())
        .start();
  }

  /**
   * The parent of a publish: the delivery in scope, if the publish is made while one is being handled (a
   * {@code Flux} subscriber's {@code onNext}, a handler's synchronous work), else the observation in the Reactor
   * {@code Context}, else the one in scope.
   */
  private Observation parent(ContextView context) {
    Observation current = registry.getCurrentObservation();
    if (current != null && current.getContext() instanceof ProcessContext) {
      return current;
    }
    Object inContext = context.getOrDefault(CONTEXT_KEY, null);
    return inContext instanceof Observation observation ? observation : current;
  }

  /**
   * {@code event} with the trace context a propagating handler injected, if it injected any: the W3C
   * {@code traceparent}, {@code tracestate} and {@code baggage}, and B3's single {@code b3} header (names an event
   * header can have; B3's multi-header form cannot be carried). What the event had of them before is replaced.
   */
  static <T> Event<T> withTraceContext(Event<T> event, Map<String, String> injected) {
    boolean any = false;
    for (String name : PROPAGATED) {
      any |= injected.containsKey(name);
    }
    if (!any) {
      return event;
    }
    Map<String, String> headers = new LinkedHashMap<>(event.headers());
    for (String name : PROPAGATED) {
      String value = injected.get(name);
      if (value == null || value.isEmpty()) {
        headers.remove(name);
      } else {
        headers.put(name, value);
      }
    }
    return new Event<>(event.id(), event.topic(), event.payload(), event.key(), event.version(), event.source(),
        event.time(), event.correlationId(), event.causationId(), headers);
  }
}
