package io.fluxbus.router;

import io.fluxbus.BusException;
import io.fluxbus.BusMetrics;
import io.fluxbus.BusStats;
import io.fluxbus.DurableEventBus;
import io.fluxbus.EngineUnavailableException;
import io.fluxbus.Event;
import io.fluxbus.EventBus;
import io.fluxbus.EventHandler;
import io.fluxbus.LifecycleEvent;
import io.fluxbus.PublishResult;
import io.fluxbus.StartPosition;
import io.fluxbus.SubscribeOptions;
import io.fluxbus.Subscription;
import io.fluxbus.TopicPattern;
import io.fluxbus.UnknownEngineException;
import io.fluxbus.internal.LifecycleEmitter;
import io.fluxbus.spi.Instrumented;
import io.fluxbus.spi.RoutableEngine;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * An {@link EventBus} over several named engines. Each topic goes to one engine: the engine of the first rule
 * with a matching pattern, else the default engine. A subscription is made on every engine that could carry a
 * topic matching its pattern, and their streams are merged, so {@code subscribe("#")} sees every engine's events;
 * cancelling it cancels every part. {@code topics()} and {@code subscriberCount()} answer from the engines, so they
 * stay exact.
 *
 * <pre>{@code
 * EngineRouter router = EngineRouter.builder()
 *     .engine("fast", MemoryEventBus.create())
 *     .engine("durable", redisBus)
 *     .route("durable", "orders.#", "billing.#")
 *     .defaultEngine("fast")
 *     .build();
 * }</pre>
 *
 * <p>Thread-safe; routing is decided by a segment trie of the rules, cached per topic, so it costs no more than
 * the engine's own matching. {@code start()} starts the engines in order and, if one fails, stops those already
 * started; {@code stop()} stops every engine even when some fail and reports every failure. The durable
 * operations ({@link #publishAt}, {@link #resetGroup}) go to the engines that carry the topic or pattern, and are
 * refused for engines without a durable log.
 */
public final class EngineRouter implements DurableEventBus, Instrumented {

  private static final System.Logger LOG = System.getLogger(EngineRouter.class.getName());
  private final Map<String, EventBus> engines;
  private final RoutingTable routing;
  private final List<String> warnings;
  private final LifecycleEmitter ownLifecycle = new LifecycleEmitter("router");

  private EngineRouter(Map<String, EventBus> engines, List<RoutingRule> rules, String defaultEngine,
                       List<String> extraWarnings) {
    this.engines = Collections.unmodifiableMap(new LinkedHashMap<>(engines));
    this.routing = new RoutingTable(rules, defaultEngine);
    List<String> all = new ArrayList<>(extraWarnings);
    all.addAll(routing.shadowWarnings());
    this.warnings = List.copyOf(all);
    for (String warning : warnings) {
      LOG.log(System.Logger.Level.WARNING, warning);
    }
    for (EventBus engine : this.engines.values()) {
      if (engine instanceof RoutableEngine routable) {
        routable.publishDerivedEventsThrough(this);
      }
    }
  }

  private void emitOwn(LifecycleEvent.Type type) {
    ownLifecycle.emit(type, null, null, null, null);
  }

  /** Starts building a router. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The engine an event on {@code topic} goes to.
   *
   * @throws io.fluxbus.InvalidTopicException if the topic is invalid
   */
  public String engineFor(String topic) {
    return routing.engineFor(topic);
  }

  /** The engines' names, in the order they were configured. */
  public Set<String> engineNames() {
    return engines.keySet();
  }

  /** The default engine's name. */
  public String defaultEngine() {
    return routing.defaultEngine();
  }

  /**
   * One engine.
   *
   * @throws UnknownEngineException listing the known names
   */
  public EventBus engine(String name) {
    EventBus engine = engines.get(name);
    if (engine == null) {
      throw new UnknownEngineException("Unknown engine '" + name + "'; engines: " + engines.keySet());
    }
    return engine;
  }

  /**
   * One engine's counters.
   *
   * @throws UnknownEngineException listing the known names
   */
  public BusStats stats(String name) {
    return engine(name).stats();
  }

  /** Configuration warnings found when the router was built, e.g. rules that can never match. */
  public List<String> warnings() {
    return warnings;
  }

  /**
   * The engines a subscription to {@code pattern} is made on: every rule's engine whose patterns could match a
   * topic that the pattern matches, up to the first rule that takes all of them, then the default engine.
   *
   * @throws io.fluxbus.InvalidPatternException if the pattern is invalid
   */
  public List<String> enginesFor(String pattern) {
    return routing.enginesFor(pattern);
  }

  @Override
  public Mono<Void> start() {
    return Mono.defer(() -> {
      List<String> started = Collections.synchronizedList(new ArrayList<>());
      return Flux.fromIterable(engines.entrySet())
          .concatMap(e -> e.getValue().start()
              .onErrorMap(error -> startFailure(e.getKey(), error))
              .doOnSuccess(done -> started.add(e.getKey())))
          .then()
          .onErrorResume(error -> rollBack(started, error))
          .doOnSuccess(done -> emitOwn(LifecycleEvent.Type.BUS_STARTED));
    });
  }

  private static BusException startFailure(String name, Throwable error) {
    String message = "Engine '" + name + "' failed to start: " + error.getMessage();
    return error instanceof EngineUnavailableException
        ? new EngineUnavailableException(message, error)
        : new BusException(message, error);
  }

  private Mono<Void> rollBack(List<String> started, Throwable error) {
    List<String> reversed = new ArrayList<>(started);
    Collections.reverse(reversed);
    return Flux.fromIterable(reversed)
        .concatMap(name -> engines.get(name).stop().onErrorResume(stopError -> {
          error.addSuppressed(stopError);
          return Mono.empty();
        }))
        .then(Mono.error(error));
  }

  @Override
  public Mono<Void> stop() {
    return Mono.defer(() -> {
      List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
      List<String> names = Collections.synchronizedList(new ArrayList<>());
      return Flux.fromIterable(engines.entrySet())
          .concatMap(e -> e.getValue().stop().onErrorResume(error -> {
            failures.add(error);
            names.add(e.getKey() + ": " + error.getMessage());
            return Mono.empty();
          }))
          .then(Mono.defer(() -> {
            emitOwn(LifecycleEvent.Type.BUS_STOPPED);
            if (failures.isEmpty()) {
              return Mono.empty();
            }
            BusException error = new BusException(failures.size() + " engine(s) failed to stop: "
                + String.join("; ", names));
            failures.forEach(error::addSuppressed);
            return Mono.error(error);
          }));
    });
  }

  @Override
  public Mono<PublishResult> publish(Event<?> event) {
    Objects.requireNonNull(event, "event must not be null");
    return engines.get(engineFor(event.topic())).publish(event);
  }

  /**
   * Stores the event for later on the engine its topic routes to; see {@link DurableEventBus#publishAt}.
   *
   * @return that engine's result; {@link UnsupportedOperationException} naming the engine when it has no durable log
   */
  @Override
  public Mono<PublishResult> publishAt(Event<?> event, Instant deliverAt) {
    Objects.requireNonNull(event, "event must not be null");
    Objects.requireNonNull(deliverAt, "deliverAt must not be null");
    String name = engineFor(event.topic());
    if (engines.get(name) instanceof DurableEventBus durable) {
      return durable.publishAt(event, deliverAt);
    }
    return Mono.error(new UnsupportedOperationException("Cannot publish '" + event.topic() + "' for later: it routes "
        + "to engine '" + name + "', which has no durable log; route it to a redis (streams) or postgres engine"));
  }

  /**
   * Moves the group on every engine that could carry a topic matching {@code pattern} and keeps a durable log;
   * see {@link DurableEventBus#resetGroup}.
   *
   * @return completes once every such engine moved it; {@link UnsupportedOperationException} when none of them
   *     keeps a durable log
   */
  @Override
  public Mono<Void> resetGroup(String group, String pattern, StartPosition position) {
    Objects.requireNonNull(group, "group must not be null");
    Objects.requireNonNull(position, "position must not be null");
    List<String> names = enginesFor(pattern);
    return Flux.fromIterable(names)
        .filter(name -> engines.get(name) instanceof DurableEventBus)
        .concatMap(name -> ((DurableEventBus) engines.get(name)).resetGroup(group, pattern, position)
            .thenReturn(Boolean.TRUE)
            .onErrorResume(UnsupportedOperationException.class, unsupported -> Mono.just(Boolean.FALSE)))
        .any(Boolean::booleanValue)
        .flatMap(reset -> reset ? Mono.<Void>empty() : Mono.error(new UnsupportedOperationException(
            "Cannot reset group '" + group + "' on '" + pattern + "': none of its engines " + names
                + " keeps a durable log")));
  }

  @Override
  public <T> Flux<Event<T>> subscribe(String pattern, Class<T> payloadType, SubscribeOptions options) {
    Objects.requireNonNull(payloadType, "payloadType must not be null");
    Objects.requireNonNull(options, "options must not be null");
    List<String> names = enginesFor(pattern);
    if (names.size() == 1) {
      return engines.get(names.get(0)).subscribe(pattern, payloadType, options);
    }
    List<org.reactivestreams.Publisher<? extends Event<T>>> parts = new ArrayList<>(names.size());
    for (String name : names) {
      parts.add(engines.get(name).subscribe(pattern, payloadType, options));
    }
    return SharedDemandMerge.of(parts);
  }

  @Override
  public Mono<Subscription> subscribe(String pattern, SubscribeOptions options, EventHandler handler) {
    Objects.requireNonNull(options, "options must not be null");
    Objects.requireNonNull(handler, "handler must not be null");
    List<String> names = enginesFor(pattern);
    return Mono.defer(() -> {
      List<Subscription> made = Collections.synchronizedList(new ArrayList<>());
      return Flux.fromIterable(names)
          .concatMap(name -> engines.get(name).subscribe(pattern, options, handler))
          .doOnNext(made::add)
          .then(Mono.fromSupplier(() -> (Subscription) new RouterSubscription(this, pattern, made)))
          .onErrorResume(error -> Flux.fromIterable(made).concatMap(Subscription::cancel)
              .onErrorResume(cancelError -> Mono.empty())
              .then(Mono.error(error)));
    });
  }

  @Override
  public Mono<Void> unsubscribe(Subscription subscription) {
    Objects.requireNonNull(subscription, "subscription must not be null");
    if (subscription instanceof RouterSubscription routed && routed.router == this) {
      return routed.cancel();
    }
    return Mono.error(new IllegalArgumentException("subscription " + subscription.id() + " on '"
        + subscription.pattern() + "' was not made through this router"));
  }

  @Override
  public Set<String> topics() {
    Set<String> topics = new LinkedHashSet<>();
    for (EventBus engine : engines.values()) {
      topics.addAll(engine.topics());
    }
    return Collections.unmodifiableSet(topics);
  }

  @Override
  public int subscriberCount(String topic) {
    return engines.get(engineFor(topic)).subscriberCount(topic);
  }

  @Override
  public BusStats stats() {
    BusStats sum = BusStats.EMPTY;
    for (EventBus engine : engines.values()) {
      sum = sum.plus(engine.stats());
    }
    return sum;
  }

  /**
   * The engines' lifecycle events merged, except that starting and stopping are reported once, for the router
   * ({@code engine = "router"}), when every engine has started or stopped. A subscription spanning several
   * engines is reported once per engine; its {@link Subscription#id()} is the id of its first part.
   */
  @Override
  public Flux<LifecycleEvent> lifecycle() {
    List<Flux<LifecycleEvent>> sources = new ArrayList<>();
    sources.add(ownLifecycle.flux());
    for (EventBus engine : engines.values()) {
      sources.add(engine.lifecycle().filter(e -> e.type() != LifecycleEvent.Type.BUS_STARTED
          && e.type() != LifecycleEvent.Type.BUS_STOPPED));
    }
    // unbounded prefetch: the engines' sinks are best-effort per subscriber, so a bounded merge would lose bursts
    return Flux.merge(Flux.fromIterable(sources), sources.size(), Integer.MAX_VALUE);
  }

  /** Binds every engine's meters; each is tagged with its own engine name. */
  @Override
  public void bindMetrics(MeterRegistry registry) {
    for (EventBus engine : engines.values()) {
      BusMetrics.bind(engine, registry);
    }
  }

  @Override
  public String toString() {
    return "EngineRouter{engines=" + engines.keySet() + ", rules=" + routing.size() + ", default="
        + routing.defaultEngine()
        + "}";
  }

  /** Configures an {@link EngineRouter}. Not thread-safe. */
  public static final class Builder {
    private final Map<String, EventBus> engines = new LinkedHashMap<>();
    private final List<RoutingRule> rules = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();
    private String defaultEngine;

    private Builder() {}

    /**
     * Adds an engine under a name.
     *
     * @throws IllegalArgumentException if the name is taken or blank
     */
    public Builder engine(String name, EventBus bus) {
      Objects.requireNonNull(name, "name must not be null");
      Objects.requireNonNull(bus, "bus must not be null");
      if (name.isBlank()) {
        throw new IllegalArgumentException("engine name must not be blank");
      }
      if (engines.putIfAbsent(name, bus) != null) {
        throw new IllegalArgumentException("engine '" + name + "' is defined twice; engine names are unique");
      }
      return this;
    }

    /**
     * Adds a rule: topics matching any of the patterns go to the engine, unless an earlier rule matched.
     *
     * @throws io.fluxbus.InvalidPatternException if a pattern is invalid
     * @throws IllegalArgumentException if no pattern is given
     */
    public Builder route(String engine, String... patterns) {
      Objects.requireNonNull(engine, "engine must not be null");
      if (patterns.length == 0) {
        throw new IllegalArgumentException("a route to '" + engine + "' needs at least one pattern");
      }
      rules.add(new RoutingRule(rules.size(), engine, Arrays.stream(patterns).map(TopicPattern::of).toList()));
      return this;
    }

    /** The engine for topics no rule matches; the first engine when not set. */
    public Builder defaultEngine(String name) {
      this.defaultEngine = Objects.requireNonNull(name, "name must not be null");
      return this;
    }

    Builder warning(String warning) {
      warnings.add(warning);
      return this;
    }

    /**
     * Builds the router; warnings about rules that can never match are logged and kept in
     * {@link EngineRouter#warnings()}.
     *
     * @throws IllegalStateException if no engine was added
     * @throws UnknownEngineException if a rule or the default names an engine that was not added
     */
    public EngineRouter build() {
      if (engines.isEmpty()) {
        throw new IllegalStateException("a router needs at least one engine");
      }
      String fallback = defaultEngine != null ? defaultEngine : engines.keySet().iterator().next();
      requireKnown(fallback, "the default engine");
      for (RoutingRule rule : rules) {
        requireKnown(rule.engine(), "a route");
      }
      return new EngineRouter(engines, rules, fallback, warnings);
    }

    private void requireKnown(String name, String what) {
      if (!engines.containsKey(name)) {
        throw new UnknownEngineException("Unknown engine '" + name + "' named by " + what + "; engines: "
            + engines.keySet());
      }
    }
  }
}
