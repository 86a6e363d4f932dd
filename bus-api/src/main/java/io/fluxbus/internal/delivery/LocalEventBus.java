package io.fluxbus.internal.delivery;

import io.fluxbus.BusNotStartedException;
import io.fluxbus.BusStats;
import io.fluxbus.DropReason;
import io.fluxbus.Event;
import io.fluxbus.EventBus;
import io.fluxbus.EventHandler;
import io.fluxbus.LifecycleEvent;
import io.fluxbus.PublishResult;
import io.fluxbus.SubscribeOptions;
import io.fluxbus.Subscription;
import io.fluxbus.TopicPattern;
import io.fluxbus.Topics;
import io.fluxbus.internal.Idle;
import io.fluxbus.internal.TopicTrie;
import io.fluxbus.internal.observation.Observations;
import io.fluxbus.spi.DurableLog;
import io.fluxbus.spi.Instrumented;
import io.fluxbus.spi.RoutableEngine;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The in-process delivery core: a segment trie of subscriptions, sync delivery on the publishing thread, bounded
 * per-subscription buffers drained on a worker pool, the three delivery modes without parked threads, consumer
 * groups, per-key lanes, retries and dead letters, stop-drain-restart, counters, lifecycle and metrics.
 *
 * <p>The memory engine is this class under its own name; remote engines use it to fan events out locally (e.g.
 * Redis pub/sub receives each message once per process and hands it to {@link #publish}). All of
 * {@link EventBus}'s contract applies; every method is thread-safe. Subscribing and unsubscribing take a registry
 * lock; publishing takes no lock.
 */
public final class LocalEventBus implements EventBus, Instrumented, RoutableEngine {

  private static final int STOPPED = 0;
  private static final int RUNNING = 1;
  private static final int STOPPING = 2;
  private static final Endpoint[] NO_ENDPOINTS = new Endpoint[0];

  final LocalSettings settings;
  /** Where publishes and deliveries are observed; null when nowhere, so that nothing is paid per event. */
  private final Observations observations;
  private final TopicTrie<Endpoint> trie = new TopicTrie<>(e -> e.seq, NO_ENDPOINTS);
  private final Set<Endpoint> active = ConcurrentHashMap.newKeySet();
  private final Map<String, GroupEndpoint> groups = new HashMap<>();
  private final Map<String, PatternMeters> meters = new ConcurrentHashMap<>();
  /** Subscriptions served from the engine's durable log; null without one. */
  private final LogConsumers logConsumers;
  /** What became of events: counters, lifecycle reports, failures and dead letters. */
  final Outcomes outcomes;
  private final BusCounters counters;
  /** Publishes past the fast path and not yet ended, of this run: a stop that gave up on one leaves it behind. */
  private volatile LongAdder inFlight = new LongAdder();
  private final AtomicLong sequence = new AtomicLong();
  private final Object registryLock = new Object();
  private volatile int state = STOPPED;
  private volatile Scheduler scheduler;
  private volatile MeterRegistry registry;
  private volatile EventBus front = this;

  /** Creates a stopped bus that serves every subscription in-process. */
  public LocalEventBus(LocalSettings settings) {
    this.settings = Objects.requireNonNull(settings, "settings must not be null");
    this.outcomes = new Outcomes(settings.engine(), this::front);
    this.counters = outcomes.counters;
    this.observations = observations(settings);
    this.logConsumers = null;
  }

  /**
   * Creates a stopped bus for an engine with a durable log: subscriptions that name a consumer group or start
   * anywhere but at the latest event are served from {@code log} (see {@link DurableLog}); they are not offered
   * events at publish, so {@link PublishResult} does not count them, and they drop nothing.
   */
  public LocalEventBus(LocalSettings settings, DurableLog log) {
    this.settings = Objects.requireNonNull(settings, "settings must not be null");
    this.outcomes = new Outcomes(settings.engine(), this::front);
    this.counters = outcomes.counters;
    this.observations = observations(settings);
    this.logConsumers = new LogConsumers(Objects.requireNonNull(log, "log must not be null"), this);
  }

  private static Observations observations(LocalSettings settings) {
    return Observations.of(settings.observationRegistry(), settings.engine(), settings.type());
  }

  /** The settings this bus runs with. */
  public LocalSettings settings() {
    return settings;
  }

  /**
   * Where the engine in front of this core observes its publishes ({@link Observations#publish}); null when
   * nowhere. Deliveries are observed here.
   */
  public Observations observations() {
    return observations;
  }

  @Override
  public Mono<Void> start() {
    return Mono.fromRunnable(() -> {
      synchronized (registryLock) {
        if (state == RUNNING) {
          return;
        }
        if (state == STOPPING) {
          throw new IllegalStateException("bus '" + settings.engine() + "' is stopping; start it after stop()"
              + " completes");
        }
        if (scheduler == null) {
          scheduler = Schedulers.newParallel("fluxbus-" + settings.engine(), settings.workers(), true);
        }
        inFlight = new LongAdder();
        state = RUNNING;
      }
      outcomes.emit(LifecycleEvent.Type.BUS_STARTED, null, null, null, null);
    });
  }

  @Override
  public Mono<Void> stop() {
    return Mono.defer(() -> {
      synchronized (registryLock) {
        if (state != RUNNING) {
          return Mono.empty();
        }
        state = STOPPING;
      }
      if (logConsumers != null) {
        // the engine stops reading first, or handlers would never be idle
        logConsumers.closeAll();
      }
      // one drain timeout for the whole stop: waiting for idle, then for every subscription to finish
      long deadline = System.nanoTime() + settings.drainTimeout().toNanos();
      return until(this::idle, deadline).then(Mono.defer(() -> terminateAll(deadline)));
    });
  }

  /** Completes when {@code condition} holds, or at {@code deadline} (nanoTime) at the latest. */
  private Mono<Void> until(BooleanSupplier condition, long deadline) {
    return Idle.until(condition, Duration.ofNanos(deadline - System.nanoTime()));
  }

  private boolean idle() {
    if (inFlight.sum() != 0) {
      return false;
    }
    for (Endpoint endpoint : active) {
      if (!endpoint.idle()) {
        return false;
      }
    }
    return true;
  }

  /** Removes every subscription, lets each drop what it still holds and complete, then releases the workers. */
  private Mono<Void> terminateAll(long deadline) {
    List<Endpoint> ended;
    synchronized (registryLock) {
      ended = new ArrayList<>(active);
      for (Endpoint endpoint : ended) {
        // before unregistering: a log member that leaves finishes at once, on a worker, and must see why
        if (endpoint.terminated == null) {
          endpoint.terminated = DropReason.STOPPED;
        }
        unregister(endpoint);
      }
    }
    for (Endpoint endpoint : ended) {
      endpoint.terminateHere(DropReason.STOPPED);
      outcomes.emit(LifecycleEvent.Type.SUBSCRIPTION_REMOVED, endpoint.pattern.value(), endpoint.id, null,
          DropReason.STOPPED.tag());
    }
    return until(() -> ended.stream().allMatch(Endpoint::isFinished), deadline).then(Mono.fromRunnable(() -> {
      Scheduler workers;
      synchronized (registryLock) {
        workers = scheduler;
        scheduler = null;
        state = STOPPED;
      }
      if (workers != null) {
        // graceful: drains already queued still run (and count their drops); a signal arriving later (a handler
        // finishing) is refused by the workers and runs its drop-only drain on its own thread
        workers.disposeGracefully().subscribe(null, error -> workers.dispose());
      }
      outcomes.emit(LifecycleEvent.Type.BUS_STOPPED, null, null, null, null);
    }));
  }

  @Override
  public void publishDerivedEventsThrough(EventBus front) {
    this.front = Objects.requireNonNull(front, "front must not be null");
  }

  /** Where dead letters are published: this bus, or the router in front of it. */
  EventBus front() {
    return front;
  }

  /** The worker scheduler while the bus runs (or stops), else null. */
  Scheduler workers() {
    return scheduler;
  }

  @Override
  public Mono<PublishResult> publish(Event<?> event) {
    Objects.requireNonNull(event, "event must not be null");
    @SuppressWarnings("unchecked")
    Event<Object> untyped = (Event<Object>) event;
    return PublishMono.create(this, untyped);
  }

  /**
   * Publishes at once, like {@link EventBus#tryPublish(Event)}: the same offers, delivery modes and counters as
   * {@link #publish(Event)} subscribed on this thread, without a {@code Mono}; on the fast path (every
   * subscription took or dropped the event at once) nothing is allocated but the result, which the JIT removes
   * when the caller does not keep it (docs/architecture.md, "Publish cost").
   */
  @Override
  public PublishResult tryPublish(Event<?> event) {
    Objects.requireNonNull(event, "event must not be null");
    @SuppressWarnings("unchecked")
    Event<Object> untyped = (Event<Object>) event;
    long outcome = offer(untyped, null, null);
    if (outcome >= 0) {
      return new PublishResult(event.id(), delivered(outcome), dropped(outcome));
    }
    if (outcome == NOT_RUNNING) {
      throw notRunning(event);
    }
    // a subscription is waiting for room or a sync handler is still running: the publish goes on without us
    return null;
  }

  /**
   * Publishes like {@link #publish(Event)}, but on {@code slowPath}, unless no subscription of this bus matches the
   * topic: then the publish completes at once on the subscribing thread, delivered to nobody. For an engine whose
   * appends complete on a driver's I/O thread, where no subscriber may run, and which would otherwise move every
   * publish to a thread of its own, subscribers or not. Publishes that move start in the order {@code slowPath} runs
   * its tasks (a single thread: the order they were subscribed), as if {@link #publish(Event)} had been subscribed
   * there, and stay there: a sync handler whose {@code Mono} completes on another thread resumes its publish on
   * {@code slowPath}. As with any publishes outstanding at once, the next one may start while a sync handler of the
   * previous one is pending. A publish that moved runs even if its subscriber cancels meanwhile.
   *
   * @param slowPath where publishes that reach a subscription run; when it rejects work (it is closed), the publish
   *     signals {@link BusNotStartedException}
   */
  public Mono<PublishResult> publish(Event<?> event, Scheduler slowPath) {
    Objects.requireNonNull(event, "event must not be null");
    Objects.requireNonNull(slowPath, "slowPath must not be null");
    @SuppressWarnings("unchecked")
    Event<Object> untyped = (Event<Object>) event;
    return PublishMono.create(this, untyped, slowPath);
  }

  /**
   * Runs one subscription of a publish {@code Mono}. With a {@code slowPath}, a publish that any endpoint matches
   * first moves there, whole.
   */
  void dispatch(Event<Object> event, CoreSubscriber<? super PublishResult> actual, PublishMono mono,
                Scheduler slowPath) {
    if (slowPath != null && state == RUNNING && trie.match(event.topic()).length > 0) {
      try {
        slowPath.schedule(() -> {
          try {
            complete(event, actual, mono, offer(event, actual, slowPath));
          } catch (Throwable unexpected) {
            Operators.reportThrowInSubscribe(actual, unexpected);
          }
        });
      } catch (RejectedExecutionException closed) {
        Operators.error(actual, new BusNotStartedException("Cannot publish '" + event.topic() + "': bus '"
            + settings.engine() + "' is closing its delivery thread"));
      }
      return;
    }
    complete(event, actual, mono, offer(event, actual, null));
  }

  /** Signals what {@link #offer} left to the {@code Mono}'s subscriber. */
  private void complete(Event<Object> event, CoreSubscriber<? super PublishResult> actual, PublishMono mono,
                        long outcome) {
    if (outcome >= 0) {
      mono.complete(actual, event.id(), delivered(outcome), dropped(outcome));
    } else if (outcome == NOT_RUNNING) {
      Operators.error(actual, notRunning(event));
    }
  }

  /** {@link #offer}: the bus is not running; nothing was counted. */
  private static final long NOT_RUNNING = -1L;
  /** {@link #offer}: a {@link Dispatch} took the publish over and completes {@code actual} itself. */
  private static final long DISPATCHED = -2L;
  /** {@link #offer} without a subscriber: the publish went on in a {@link Dispatch} and has not ended yet. */
  private static final long PENDING = -3L;

  private static int delivered(long outcome) {
    return (int) (outcome >>> 32);
  }

  private static int dropped(long outcome) {
    return (int) outcome;
  }

  static long outcome(int delivered, int dropped) {
    return ((long) delivered << 32) | dropped;
  }

  private BusNotStartedException notRunning(Event<?> event) {
    return new BusNotStartedException("Cannot publish '" + event.topic() + "': bus '" + settings.engine()
        + "' is " + (state == STOPPING ? "stopping" : "not started") + "; call start() first");
  }

  /**
   * Where every publish of this bus runs ({@link #publish}, {@link #tryPublish}, a slow path's task): offers the
   * event to each endpoint that matches it now, without waiting. Returns the counts ({@link #outcome}) when every
   * endpoint took or refused it at once, allocating nothing but a copy of an event that has no source or time. The
   * first endpoint that must wait (or run a sync handler) hands the rest to a {@link Dispatch} that completes
   * {@code actual} (resuming on {@code home}): {@link #DISPATCHED}; with no {@code actual} ({@code tryPublish}),
   * the counts if that ended before returning, else {@link #PENDING}. {@link #NOT_RUNNING} when the bus is not
   * running.
   */
  private long offer(Event<Object> event, CoreSubscriber<? super PublishResult> actual, Scheduler home) {
    if (state != RUNNING) {
      return NOT_RUNNING;
    }
    Endpoint[] endpoints = trie.match(event.topic());
    counters.published.increment();
    Event<Object> stamped = event.source() != null && event.time() != null ? event
        : event.withDefaults(settings.source(), event.time() != null ? event.time() : Instant.now());
    int delivered = 0;
    int dropped = 0;
    int handed = 0;
    for (int i = 0; i < endpoints.length; i++) {
      int outcome = endpoints[i].offerFast(stamped);
      if (outcome == Dispatch.HANDED) {
        delivered++;
        handed++;
      } else if (outcome == Dispatch.ACCEPTED) {
        delivered++;
      } else if (outcome == Dispatch.DROPPED) {
        dropped++;
      } else {
        outcomes.delivered(handed);
        return dispatch(stamped, endpoints, i, delivered, dropped, actual, home);
      }
    }
    outcomes.delivered(handed);
    return outcome(delivered, dropped);
  }

  private long dispatch(Event<Object> stamped, Endpoint[] endpoints, int index, int delivered, int dropped,
                        CoreSubscriber<? super PublishResult> actual, Scheduler home) {
    LongAdder counted = inFlight;
    counted.increment();
    PublishCapture capture = actual == null ? new PublishCapture() : null;
    CoreSubscriber<? super PublishResult> target = actual != null ? actual : capture;
    Dispatch dispatch = new Dispatch(target, stamped, endpoints, index, delivered, dropped, home, counted);
    target.onSubscribe(dispatch);
    dispatch.run();
    return capture == null ? DISPATCHED : capture.outcome(PENDING);
  }

  @Override
  public <T> Flux<Event<T>> subscribe(String pattern, Class<T> payloadType, SubscribeOptions options) {
    TopicPattern parsed = TopicPattern.of(pattern);
    Objects.requireNonNull(payloadType, "payloadType must not be null");
    Objects.requireNonNull(options, "options must not be null");
    @SuppressWarnings({"unchecked", "rawtypes"})
    Flux<Event<T>> flux = (Flux) SubscriptionFlux.create(this, parsed, payloadType, options);
    return observations == null ? flux
        : observations.process(flux, parsed.value(), options.group().orElse(null));
  }

  /** Creates, registers and starts the endpoint of one {@code Flux} subscriber. */
  void subscribeFlux(TopicPattern pattern, Class<?> payloadType, SubscribeOptions options,
                     CoreSubscriber<? super Event<Object>> actual) {
    long seq = sequence.incrementAndGet();
    String id = newId(seq);
    if (servedFromLog(options)) {
      LogFluxEndpoint endpoint = new LogFluxEndpoint(seq, id, pattern, options, this, actual, payloadType);
      endpoint.start();
      register(endpoint);
      endpoint.consumerReady().subscribe(null, endpoint::failToAttach);
    } else if (options.isAsync()) {
      AsyncFluxEndpoint endpoint = new AsyncFluxEndpoint(seq, id, pattern, options, this, actual, payloadType);
      endpoint.start();
      register(endpoint);
    } else {
      SyncFluxEndpoint endpoint = new SyncFluxEndpoint(seq, id, pattern, options, this, actual, payloadType);
      endpoint.start();
      register(endpoint);
    }
  }

  @Override
  public Mono<Subscription> subscribe(String pattern, SubscribeOptions options, EventHandler handler) {
    TopicPattern parsed = TopicPattern.of(pattern);
    Objects.requireNonNull(options, "options must not be null");
    Objects.requireNonNull(handler, "handler must not be null");
    EventHandler observed = observations == null ? handler
        : observations.process(handler, parsed.value(), options.group().orElse(null));
    return Mono.defer(() -> {
      long seq = sequence.incrementAndGet();
      String id = newId(seq);
      if (servedFromLog(options)) {
        LogHandlerEndpoint endpoint = new LogHandlerEndpoint(seq, id, parsed, options, this, observed);
        register(endpoint);
        ActiveSubscription subscription = new ActiveSubscription(this, endpoint);
        return endpoint.consumerReady().thenReturn((Subscription) subscription)
            .onErrorResume(error -> Mono.fromRunnable(() -> remove(endpoint, DropReason.UNSUBSCRIBED))
                .then(Mono.error(error)))
            // nobody will hold the subscription: leave no member behind that nobody can cancel
            .doOnCancel(() -> remove(endpoint, DropReason.UNSUBSCRIBED));
      }
      Endpoint endpoint = options.isAsync()
          ? new AsyncHandlerEndpoint(seq, id, parsed, options, this, observed)
          : new SyncHandlerEndpoint(seq, id, parsed, options, this, observed);
      register(endpoint);
      return Mono.just(new ActiveSubscription(this, endpoint));
    });
  }

  private boolean servedFromLog(SubscribeOptions options) {
    return logConsumers != null && LogConsumers.servedFromLog(options);
  }

  /**
   * Completes once the durable log is being read for every log-served subscription made so far (an engine's publish
   * waits for this, so that a subscription made before a publish on the same bus sees it). Immediate when none is
   * being set up.
   */
  public Mono<Void> logAttachments() {
    return logConsumers == null ? Mono.empty() : logConsumers.attachments();
  }

  @Override
  public Mono<Void> unsubscribe(Subscription subscription) {
    Objects.requireNonNull(subscription, "subscription must not be null");
    return Mono.fromRunnable(() -> {
      if (subscription instanceof ActiveSubscription active && active.bus == this) {
        remove(active.endpoint, DropReason.UNSUBSCRIBED);
      } else {
        throw new IllegalArgumentException("subscription " + subscription.id() + " on '"
            + subscription.pattern() + "' was not made on bus '" + settings.engine() + "'");
      }
    });
  }

  private String newId(long seq) {
    return settings.engine() + "-" + seq;
  }

  private void register(Endpoint endpoint) {
    LocalLogConsumer attach = null;
    synchronized (registryLock) {
      if (endpoint.terminated != null) {
        return;
      }
      active.add(endpoint);
      String group = endpoint.options.group().orElse(null);
      if (endpoint instanceof LogEndpoint member) {
        attach = logConsumers.join(member);
      } else if (group == null) {
        trie.add(endpoint.pattern, endpoint);
      } else {
        String key = group + '\u0000' + endpoint.pattern.value();
        GroupEndpoint groupEndpoint = groups.get(key);
        if (groupEndpoint == null) {
          groupEndpoint = new GroupEndpoint(sequence.incrementAndGet(), group, endpoint.pattern, this);
          groups.put(key, groupEndpoint);
          groupEndpoint.join(endpoint);
          trie.add(endpoint.pattern, groupEndpoint);
        } else {
          groupEndpoint.join(endpoint);
        }
      }
      PatternMeters patternMeters = meters(endpoint.pattern.value());
      patternMeters.endpoints.add(endpoint);
      endpoint.meters = patternMeters;
    }
    if (attach != null) {
      logConsumers.attach(attach);
    }
    outcomes.emit(LifecycleEvent.Type.SUBSCRIPTION_CREATED, endpoint.pattern.value(), endpoint.id, null,
        describe(endpoint));
  }

  /** What {@code SUBSCRIPTION_CREATED}'s reason says a subscription is (see {@link LifecycleEvent.Type}). */
  private static String describe(Endpoint endpoint) {
    boolean flux = endpoint instanceof SyncFluxEndpoint || endpoint instanceof AsyncFluxEndpoint
        || endpoint instanceof LogFluxEndpoint;
    String kind = (endpoint.options.isAsync() ? "async " : "sync ") + (flux ? "flux" : "handler");
    return endpoint.options.group().map(group -> kind + ", group " + group).orElse(kind);
  }

  /** Removes a subscription's bookkeeping at once, then lets its drain loop drop what it still holds. */
  void remove(Endpoint endpoint, DropReason reason) {
    boolean removed;
    synchronized (registryLock) {
      // before unregistering: a log member that leaves finishes at once, on a worker, and must see why
      if (endpoint.terminated == null) {
        endpoint.terminated = reason;
      }
      removed = unregister(endpoint);
    }
    endpoint.terminate(reason);
    if (removed) {
      outcomes.emit(LifecycleEvent.Type.SUBSCRIPTION_REMOVED, endpoint.pattern.value(), endpoint.id, null,
          reason.tag());
    }
  }

  private boolean unregister(Endpoint endpoint) {
    if (!active.remove(endpoint)) {
      return false;
    }
    String group = endpoint.options.group().orElse(null);
    if (endpoint instanceof LogEndpoint member) {
      logConsumers.leave(member);
    } else if (group == null) {
      trie.remove(endpoint.pattern, endpoint);
    } else {
      String key = group + '\u0000' + endpoint.pattern.value();
      GroupEndpoint groupEndpoint = groups.get(key);
      if (groupEndpoint != null && groupEndpoint.leave(endpoint)) {
        groups.remove(key);
        trie.remove(endpoint.pattern, groupEndpoint);
      }
    }
    PatternMeters patternMeters = endpoint.meters;
    patternMeters.endpoints.remove(endpoint);
    if (patternMeters.endpoints.isEmpty()) {
      meters.remove(patternMeters.pattern, patternMeters);
      patternMeters.unbind();
    }
    return true;
  }

  boolean isActive(Endpoint endpoint) {
    return active.contains(endpoint);
  }

  @Override
  public Set<String> topics() {
    Set<String> patterns = new LinkedHashSet<>();
    for (Endpoint endpoint : active) {
      patterns.add(endpoint.pattern.value());
    }
    return Collections.unmodifiableSet(patterns);
  }

  @Override
  public int subscriberCount(String topic) {
    String valid = Topics.requireValid(topic);
    return trie.match(valid).length + (logConsumers == null ? 0 : logConsumers.count(valid));
  }

  @Override
  public BusStats stats() {
    return counters.stats();
  }

  @Override
  public Flux<LifecycleEvent> lifecycle() {
    return outcomes.lifecycle();
  }

  @Override
  public void bindMetrics(MeterRegistry meterRegistry) {
    Objects.requireNonNull(meterRegistry, "meterRegistry must not be null");
    synchronized (registryLock) {
      if (registry != null) {
        if (registry == meterRegistry) {
          return;
        }
        throw new IllegalStateException("bus '" + settings.engine() + "' is already bound to a meter registry; "
            + "bind a CompositeMeterRegistry to report to several");
      }
      registry = meterRegistry;
      counters.bindTo(meterRegistry, settings.engine(), active);
      for (PatternMeters patternMeters : meters.values()) {
        patternMeters.bind(meterRegistry, settings.engine());
      }
    }
  }

  /** The meters of a pattern, created (and bound, when a registry is) on first use. */
  PatternMeters meters(String pattern) {
    return meters.computeIfAbsent(pattern, p -> {
      PatternMeters created = new PatternMeters(p);
      MeterRegistry bound = registry;
      if (bound != null) {
        created.bind(bound, settings.engine());
      }
      return created;
    });
  }

  @Override
  public String toString() {
    return "LocalEventBus{engine=" + settings.engine() + ", state="
        + (state == RUNNING ? "running" : state == STOPPING ? "stopping" : "stopped") + ", subscriptions="
        + active.size() + "}";
  }
}
