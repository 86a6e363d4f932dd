package io.fluxbus;

import java.util.Set;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A reactive event bus: publish events on topics, subscribe to topic patterns. Every engine (memory, redis,
 * postgres) and the router implement this one interface and pass the same contract suite for what they promise.
 *
 * <h2>Laziness</h2>
 * Every method returning a {@code Mono} or {@code Flux} is lazy, as everywhere in Reactor: <b>nothing is
 * published until the {@code Mono} returned by {@code publish} is subscribed</b>, and a subscription is made
 * when its {@code Flux} (or {@code Mono<Subscription>}) is subscribed. Users coming from Guava or Vert.x, where
 * publishing fires on call, must subscribe (or return the {@code Mono} to a framework that does).
 *
 * <h2>Sync and async</h2>
 * Sync subscriptions run on the publishing thread, in subscription order; {@code publish} completes after every
 * matching sync subscriber has taken the event ({@code onNext} returned, or the handler's {@code Mono}
 * completed). Async subscriptions buffer events (bounded) and run on the bus's workers, in publish order per
 * subscription; {@code publish} completes when each has accepted the event into its buffer, per its
 * {@link DeliveryMode}. Nothing ever blocks a thread.
 *
 * <h2>Errors</h2>
 * Invalid topics and patterns throw {@link InvalidTopicException} / {@link InvalidPatternException} at the call;
 * null arguments throw {@link NullPointerException}; publishing on a bus that is not started signals
 * {@link BusNotStartedException}. A failing subscriber never reaches the publisher or another subscriber: it is
 * counted in {@link #stats()} and reported on {@link #lifecycle()}.
 *
 * <p>The convenience overloads are default methods over the three that take {@link SubscribeOptions} and an
 * {@link Event}; engines implement those, decorators may override any.
 */
public interface EventBus {

  /** Starts the bus (connects remote engines). Idempotent; errors with {@link EngineUnavailableException}. */
  Mono<Void> start();

  /**
   * Stops the bus: refuses new publishes, lets in-flight handlers finish and buffers drain for up to the drain
   * timeout, counts what remains as dropped (reason {@code stopped}), completes every subscription's
   * {@code Flux} and removes every subscription. Idempotent; the bus can be started again.
   */
  Mono<Void> stop();

  /**
   * Publishes an event; {@code time} and {@code source} are filled in when absent. Lazy: nothing happens until
   * the {@code Mono} is subscribed. Completes with what happened once every matching sync subscriber has taken
   * the event and every async one has accepted or refused it.
   *
   * @throws NullPointerException if event is null
   */
  Mono<PublishResult> publish(Event<?> event);

  /**
   * Publishes {@code payload} on {@code topic} as a new event. Lazy, like {@link #publish(Event)}.
   *
   * @throws InvalidTopicException at once if the topic is invalid
   * @throws InvalidEventException at once if the payload is null
   */
  default Mono<PublishResult> publish(String topic, Object payload) {
    return publish(Event.of(topic, payload));
  }

  /**
   * Publishes {@code event} now, on the calling thread, without a {@code Mono}: the eager counterpart of
   * {@link #publish(Event)} for hot loops, in the spirit of Reactor's {@code Sinks.Many.tryEmitNext}. Nothing to
   * subscribe; the call never blocks.
   *
   * <p><b>In-process (memory) engine:</b> the same publish as subscribing to {@link #publish(Event)} on this thread,
   * with the same delivery modes, ordering, stamping of {@code source}/{@code time} and counters: sync subscribers
   * run on this thread before it returns, async ones accept or refuse the event into their buffers. Returns the
   * {@link PublishResult} when every matching subscription took or refused the event before returning, as it does
   * unless one must wait; then the rest of the publish goes on without the caller (a {@code block} or
   * {@code timeout} subscription holds the event in its queue of waiting events, never a thread; a sync handler's
   * {@code Mono} is still pending; a sync subscriber is busy on another thread) and this returns {@code null}: its
   * outcome shows in {@link #stats()} and on {@link #lifecycle()} only. On the fast path it allocates nothing but
   * the result (none at all when the JIT sees the caller does not keep it, and nothing else when the event carries
   * its {@code source} and {@code time}).
   *
   * <p><b>Remote engines (this default):</b> subscribes to {@link #publish(Event)} and does not wait, i.e. fire and
   * forget: the result when the publish completed during the call, else {@code null}; an error signalled during
   * the call is thrown, a later one goes to Reactor's {@code Hooks.onErrorDropped} (logged by default). Use
   * {@link #publish(Event)} to learn whether a remote publish succeeded.
   *
   * @return what the publish did, or {@code null} when it had not ended when this returned
   * @throws NullPointerException if event is null
   * @throws BusNotStartedException if the bus is not started (remote engines: or any other error signalled during
   *     the call)
   */
  default PublishResult tryPublish(Event<?> event) {
    return FireAndForget.publish(this, event);
  }

  /**
   * {@link #tryPublish(Event)} of {@code payload} on {@code topic} as a new event.
   *
   * @throws InvalidTopicException if the topic is invalid
   * @throws InvalidEventException if the payload is null
   */
  default PublishResult tryPublish(String topic, Object payload) {
    return tryPublish(Event.of(topic, payload));
  }

  /**
   * A sync subscription as a {@code Flux}: each subscriber to the returned {@code Flux} is one subscription,
   * active from its {@code onSubscribe}; events arrive on the publishing thread. Without demand, the bus's
   * delivery mode applies. Cancel to unsubscribe; completes when the bus stops.
   *
   * @throws InvalidPatternException at once if the pattern is invalid
   */
  default Flux<Event<Object>> subscribe(String pattern) {
    return subscribe(pattern, Object.class, SubscribeOptions.defaults());
  }

  /** An async subscription as a {@code Flux}: buffered, delivered on the bus's workers. */
  default Flux<Event<Object>> subscribeAsync(String pattern) {
    return subscribe(pattern, Object.class, SubscribeOptions.defaults().async(true));
  }

  /**
   * A sync subscription whose payloads are converted to {@code payloadType}. An event whose payload does not
   * convert is skipped, counted as failed and reported (and dead-lettered when a dead-letter topic applies).
   */
  default <T> Flux<Event<T>> subscribe(String pattern, Class<T> payloadType) {
    return subscribe(pattern, payloadType, SubscribeOptions.defaults());
  }

  /** An async subscription with typed payloads. */
  default <T> Flux<Event<T>> subscribeAsync(String pattern, Class<T> payloadType) {
    return subscribe(pattern, payloadType, SubscribeOptions.defaults().async(true));
  }

  /** A subscription with typed payloads and explicit options (sync or async, group, mode, buffer…). */
  <T> Flux<Event<T>> subscribe(String pattern, Class<T> payloadType, SubscribeOptions options);

  /**
   * A sync handler subscription; the {@code Mono} completes with the active subscription.
   *
   * @throws InvalidPatternException at once if the pattern is invalid
   */
  default Mono<Subscription> subscribe(String pattern, EventHandler handler) {
    return subscribe(pattern, SubscribeOptions.defaults(), handler);
  }

  /** An async handler subscription. */
  default Mono<Subscription> subscribeAsync(String pattern, EventHandler handler) {
    return subscribe(pattern, SubscribeOptions.defaults().async(true), handler);
  }

  /** A handler subscription with explicit options. */
  Mono<Subscription> subscribe(String pattern, SubscribeOptions options, EventHandler handler);

  /** Cancels a subscription; see {@link Subscription#cancel()}. Idempotent. */
  Mono<Void> unsubscribe(Subscription subscription);

  /** The patterns that have at least one active subscription; a snapshot. */
  Set<String> topics();

  /**
   * How many copies an event on {@code topic} would make now: each ungrouped subscription counts 1, each
   * consumer group counts 1.
   *
   * @throws InvalidTopicException if the topic is invalid
   */
  int subscriberCount(String topic);

  /** Monotonic counters since creation. */
  BusStats stats();

  /**
   * Hot stream of lifecycle events; costs nothing when nobody listens; never completes while the bus lives. Events
   * are signalled on the thread that caused them, which may be an engine's own (a Kafka consumer's poll loop, a
   * driver's I/O thread): a subscriber must not block there (use {@code publishOn} for slow work, and never wait
   * for the bus, e.g. {@code stop().block()}, inside it).
   */
  Flux<LifecycleEvent> lifecycle();
}
