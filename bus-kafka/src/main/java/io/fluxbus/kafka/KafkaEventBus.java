package io.fluxbus.kafka;

import io.fluxbus.BusNotStartedException;
import io.fluxbus.internal.observation.Observations;
import io.fluxbus.internal.log.DurablePublish;
import io.fluxbus.internal.log.SessionLifecycle;
import io.fluxbus.internal.VisibleForTesting;
import io.fluxbus.DurableEventBus;
import io.fluxbus.EngineUnavailableException;
import io.fluxbus.Event;
import io.fluxbus.EventBus;
import io.fluxbus.LifecycleEvent;
import io.fluxbus.PublishResult;
import io.fluxbus.StartPosition;
import io.fluxbus.TopicPattern;
import io.fluxbus.internal.log.EngineEvents;
import io.fluxbus.internal.delivery.LocalEventBus;
import io.fluxbus.spi.ForwardingEventBus;
import io.fluxbus.spi.LogConsumer;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The {@code kafka} engine: a durable log in one Kafka topic per namespace ({@code <namespace>.log}), shared by every
 * bus on the namespace, each event a record in the CloudEvents binary content mode (the Fluxbus topic in
 * {@code ce_type}, the payload as the value, the event's key as the record's key).
 *
 * <p><b>Publishing</b> is lazy, as everywhere in Reactor: nothing happens until the returned {@code Mono} is
 * subscribed; from then on the publish runs to its end, even if its subscriber cancels. The record goes to the
 * partition of its key (keyless events: of their topic) through the idempotent producer; once the broker
 * acknowledged it ({@code acks=all} by default: every in-sync replica has it), the event is handed to this bus's
 * ordinary subscriptions in the form every bus reads back. So a {@link PublishResult} means <em>the broker has the
 * event</em>, and {@code delivered}/{@code dropped} count this bus's ordinary subscriptions. A failed send signals
 * {@link EngineUnavailableException}. No caller thread ever blocks: the producer's {@code send} runs on a thread of
 * the engine's, and its callback completes the publish.
 *
 * <p><b>Reading.</b> Each bus tails the log from where it started and hands other buses' events to its ordinary
 * subscriptions. Subscriptions that name a consumer group, or start at the earliest event or a time, are served
 * from the log ({@link DurableEventBus}): a group is a Kafka consumer group, its members on every bus share the
 * partitions, up to {@code concurrency(n)} events of one partition run at once in per-key lanes, and the committed
 * offset never passes an event that is not handled or dead-lettered. Sync subscribers run on the bus's own delivery
 * thread after the broker answered, not on the publishing thread.
 *
 * <p>{@link #publishAt} (delayed delivery) is not offered: Kafka has no delayed records, and this engine does not
 * emulate them. {@link #start()} connects and finds or creates the log topic; it fails with
 * {@link EngineUnavailableException} naming the bootstrap servers (never a password). Thread-safe.
 */
public final class KafkaEventBus extends ForwardingEventBus implements DurableEventBus {

  /** The engine type name used in configuration. */
  public static final String TYPE = "kafka";

  private final KafkaSettings settings;
  private final LocalEventBus local;
  private final EngineEvents events;
  private final Flux<LifecycleEvent> lifecycle;
  private final String origin = UUID.randomUUID().toString();
  private final SessionLifecycle<KafkaSession> sessions;
  private volatile MeterRegistry registry;

  KafkaEventBus(KafkaSettings settings) {
    this.settings = settings;
    this.local = new LocalEventBus(settings.local(), this::attach);
    this.events = new EngineEvents(settings.engine());
    this.lifecycle = Flux.merge(local.lifecycle(), events.flux());
    this.sessions = new SessionLifecycle<>(settings.engine(), local, settings.local().drainTimeout(),
        () -> KafkaSession.open(settings, local, events, origin, () -> registry));
    // dead letters of ordinary subscriptions go through the log too, so every bus sees them
    local.publishDerivedEventsThrough(this);
  }

  /** Starts configuring a bus; {@link KafkaEventBusBuilder#bootstrapServers} is the one required setting. */
  public static KafkaEventBusBuilder builder() {
    return new KafkaEventBusBuilder();
  }

  @Override
  protected EventBus delegate() {
    return local;
  }

  /**
   * Connects, finds or creates the log topic, opens the producer, positions the tail at the end of the log, then
   * starts local delivery. Idempotent; concurrent calls share one start.
   *
   * @return completes when running; signals {@link EngineUnavailableException} naming the bootstrap servers when the
   *     cluster cannot be used within {@code connectTimeout}, leaving the bus stopped
   */
  @Override
  public Mono<Void> start() {
    return sessions.start();
  }

  /**
   * Refuses new publishes ({@link BusNotStartedException}), waits up to {@code drainTimeout} for publishes in flight
   * to be handed on, stops local delivery (group members settle what they have in hand and commit it, then leave
   * their groups), flushes the producer and closes the clients. Idempotent.
   */
  @Override
  public Mono<Void> stop() {
    return sessions.stop();
  }

  /**
   * Appends {@code event} to the log and, once the broker acknowledged it, hands it to this bus's ordinary
   * subscriptions (as read back from its record) and completes. Lazy. Waits first until every log-served
   * subscription made on this bus so far reads the log, so that it sees the event.
   *
   * <p>Threads: the result is signalled on the bus's delivery thread (sync subscribers run there too), never on the
   * producer's I/O thread.
   *
   * @return the result; signals {@link BusNotStartedException} unless running, {@link io.fluxbus.CodecException}
   *     when the payload cannot be written as JSON, and {@link EngineUnavailableException} when the producer gave up
   * @throws NullPointerException at the call if {@code event} is null
   */
  @Override
  public Mono<PublishResult> publish(Event<?> event) {
    Objects.requireNonNull(event, "event must not be null");
    Observations observations = local.observations();
    return observations == null ? publishObserved(event) : observations.publish(event, this::publishObserved);
  }

  private Mono<PublishResult> publishObserved(Event<?> event) {
    return DurablePublish.publish(sessions, local, settings.local().source(), event);
  }

  /** Publishes {@code Event.of(topic, payload)}; see {@link #publish(Event)}. */
  @Override
  public Mono<PublishResult> publish(String topic, Object payload) {
    return publish(Event.of(topic, payload));
  }

  /**
   * Not offered by this engine: Kafka has no delayed records.
   *
   * @return signals {@link CapabilityNotSupportedException} naming the capability {@code delayed delivery}
   */
  @Override
  public Mono<PublishResult> publishAt(Event<?> event, Instant deliverAt) {
    Objects.requireNonNull(event, "event must not be null");
    Objects.requireNonNull(deliverAt, "deliverAt must not be null");
    return Mono.error(new CapabilityNotSupportedException("delayed delivery", "Cannot publish '" + event.topic()
        + "' at " + deliverAt + ": engine '" + settings.engine() + "' (kafka) does not offer delayed delivery "
        + "(publishAt/publishAfter); route such topics to an engine that does (postgres, redis streams)"));
  }

  /**
   * Moves the consumer group {@code group} on {@code pattern} to {@code position}: the partitions this bus's member
   * holds after it finished what it has in hand; when the group has no member on this bus, every partition, which
   * Kafka allows only while the group has no member anywhere. See {@link DurableEventBus#resetGroup}.
   *
   * @return completes once the new offsets are committed; {@link BusNotStartedException} unless running, a
   *     {@link io.fluxbus.BusException} naming the group when members on other buses hold partitions
   */
  @Override
  public Mono<Void> resetGroup(String group, String pattern, StartPosition position) {
    Objects.requireNonNull(group, "group must not be null");
    TopicPattern parsed = TopicPattern.of(pattern);
    Objects.requireNonNull(position, "position must not be null");
    return Mono.defer(() -> sessions.running("reset group '" + group + "'").resetGroup(group, parsed.value(),
        position));
  }

  private Mono<Disposable> attach(LogConsumer consumer) {
    KafkaSession current = sessions.session();
    if (current == null) {
      return Mono.error(sessions.notStarted("subscribe to '" + consumer.pattern().value() + "' with "
          + consumer.group().map(group -> "group '" + group + "'").orElse("a start position")));
    }
    return current.attach(consumer);
  }

  /**
   * The core's lifecycle merged with the engine's: {@code ENGINE_DISCONNECTED} / {@code ENGINE_RECONNECTED} per
   * component (a group's commits, dead letters, the tail), and {@code EVENT_DROPPED} for records that are not
   * readable events. Hot; costs nothing when nobody listens.
   */
  @Override
  public Flux<LifecycleEvent> lifecycle() {
    return lifecycle;
  }

  /**
   * Binds the core's meters ({@code fluxbus.*}) and, for each group member from then on, the gauge
   * {@code fluxbus.kafka.consumer.lag} per partition (tags {@code engine}, {@code group}, {@code pattern},
   * {@code partition}): events appended and not yet settled by the member.
   */
  @Override
  public void bindMetrics(MeterRegistry registry) {
    local.bindMetrics(registry);
    this.registry = registry;
  }

  /** The Kafka topic holding this bus's log. */
  public String logTopic() {
    return settings.logTopic();
  }

  /**
   * Simulates this process dying, for tests: readers stop where they are, commit nothing and stay in their groups
   * until their session times out. Call {@link #stop()} afterwards.
   */
  @VisibleForTesting
  Mono<Void> halt() {
    KafkaSession current = sessions.session();
    return current == null ? Mono.empty() : current.halt();
  }

  /** Stops or resumes the polling of this bus's group members, as a frozen process would. */
  @VisibleForTesting
  void freezeLeases(boolean frozen) {
    KafkaSession current = sessions.session();
    if (current != null) {
      current.freezeLeases(frozen);
    }
  }

  /** Engine name, bootstrap servers, security (never a password), namespace and state. */
  @Override
  public String toString() {
    return "KafkaEventBus{engine=" + settings.engine() + ", bootstrapServers=" + settings.bootstrapServers()
        + ", security=" + settings.security() + ", namespace=" + settings.namespace() + ", state=" + sessions + "}";
  }
}
