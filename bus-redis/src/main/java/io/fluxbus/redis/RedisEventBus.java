package io.fluxbus.redis;

import io.fluxbus.BusNotStartedException;
import io.fluxbus.DurableEventBus;
import io.fluxbus.Event;
import io.fluxbus.EventBus;
import io.fluxbus.LifecycleEvent;
import io.fluxbus.PublishResult;
import io.fluxbus.StartPosition;
import io.fluxbus.TopicPattern;
import io.fluxbus.internal.observation.Observations;
import io.fluxbus.internal.VisibleForTesting;
import io.fluxbus.internal.delivery.LocalEventBus;
import io.fluxbus.internal.log.EngineEvents;
import io.fluxbus.spi.EngineBuilder;
import io.fluxbus.spi.ForwardingEventBus;
import io.lettuce.core.resource.ClientResources;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The {@code redis} engine, on Lettuce, in one of two modes. All buses on one server and {@code namespace} see each
 * other's events, as CloudEvents JSON.
 *
 * <p><b>Pub/sub mode</b> ({@link Mode#PUBSUB}, the default): at most once between processes. {@link #publish} (lazy,
 * as everywhere in Reactor: nothing happens until the {@code Mono} is subscribed) first delivers to this bus's own
 * subscriptions exactly as the memory engine does (sync subscribers on the publishing thread, async buffers with
 * the delivery modes, in-process groups, retries and dead letters), then {@code PUBLISH}es the event for every other
 * bus. Each bus subscribes one pattern, {@code <namespace>:*}, on a dedicated connection from {@link #start()} on
 * and fans what it receives out through the same in-process core, one event at a time in arrival order; it skips
 * its own events. Consumer groups are per bus. Events published while a bus is disconnected never reach it
 * ({@code ENGINE_DISCONNECTED}, then {@code ENGINE_RECONNECTED} on {@link #lifecycle()}).
 *
 * <p><b>Streams mode</b> ({@link Mode#STREAMS}): durable, at-least-once for groups. {@link #publish} appends the
 * event ({@code XADD}) to its partition's stream (by key, or by topic for keyless events, so either keeps its order),
 * then delivers it to this bus's ordinary subscriptions, and completes: the event is stored, and
 * {@link PublishResult} counts this bus's ordinary subscriptions. Every bus tails the log from where it started and
 * hands other buses' events to its ordinary subscriptions. Consumer groups and subscriptions that start anywhere
 * but at the latest event are served from the log ({@link DurableEventBus}): a group's members on every bus share
 * the partitions, each event goes to one member, is acknowledged after the handler's {@code Mono} completed, retried
 * per its {@code RetryPolicy}, dead-lettered to {@code <topic>.dlq} (or {@code deadLetter(topic)}) atomically with
 * its acknowledgement, and delivered again to another member when its member died (after {@code claimIdle}). Sync
 * subscribers run on Lettuce's threads after the append, not on the publishing thread.
 *
 * <p><b>Failures.</b> {@code start()} signals {@link io.fluxbus.EngineUnavailableException} naming the address
 * when Redis cannot be reached. A publish that Redis does not take (Redis down, connection lost) signals
 * {@code EngineUnavailableException}; Lettuce reconnects on its own, and publishing and reading resume without user
 * action. No password appears in messages, logs or {@link #toString()}.
 *
 * <pre>{@code
 * RedisEventBus bus = RedisEventBus.builder().url("redis://:secret@redis:6379").namespace("shop")
 *     .mode(RedisEventBus.Mode.STREAMS).partitions(8).retention(Duration.ofDays(7)).source("orders-service").build();
 * bus.start().block();
 * }</pre>
 *
 * Thread-safe. {@code start()} and {@code stop()} are idempotent; a {@code stop()} during a {@code start()} waits for
 * the connection attempt and then stops.
 */
public final class RedisEventBus extends ForwardingEventBus implements DurableEventBus {

  /** The engine type name used in configuration. */
  public static final String TYPE = "redis";

  /** How events travel between buses. */
  public enum Mode {
    /** Redis pub/sub: at most once, nothing stored; consumer groups are per bus. */
    PUBSUB,
    /** Redis streams: stored, replayable, durable consumer groups spanning buses, delayed delivery, retention. */
    STREAMS
  }

  private final RedisSettings settings;
  private final PubSubChannels channels;
  private final RedisTransport transport;
  private final LocalEventBus local;
  private final Flux<LifecycleEvent> lifecycle;

  private RedisEventBus(RedisSettings settings) {
    this.settings = settings;
    EngineEvents engineEvents = new EngineEvents(settings.engine());
    this.channels = PubSubChannels.create(settings.namespace());
    this.transport = settings.streams() == null ? RedisTransport.pubSub(settings, channels, engineEvents)
        : RedisTransport.streams(settings, channels, engineEvents);
    this.local = transport.local();
    this.lifecycle = Flux.merge(local.lifecycle(), engineEvents.flux());
    // dead letters go out through this bus, so other processes see them too
    this.local.publishDerivedEventsThrough(this);
  }

  /** Starts configuring a bus. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  protected EventBus delegate() {
    return local;
  }

  /** The mode this bus runs in. */
  public Mode mode() {
    return settings.streams() == null ? Mode.PUBSUB : Mode.STREAMS;
  }

  /**
   * Connects to Redis and starts the local core; idempotent, and concurrent calls share one start. In pub/sub mode
   * it completes once Redis confirmed the pattern subscription; in streams mode once the bus tails every partition
   * from its current head. Either way, events other buses publish from then on reach this one.
   *
   * @return a {@code Mono} that signals {@link io.fluxbus.EngineUnavailableException} naming the address (never
   *     the password) when Redis cannot be reached or refuses the credentials; the bus then stays stopped
   */
  @Override
  public Mono<Void> start() {
    return transport.start();
  }

  /**
   * Refuses new publishes, waits up to {@code drainTimeout} for publishes in flight, stops the local core (drain
   * for up to {@code drainTimeout}, complete every subscription; see {@code docs/architecture.md}, "Lifecycle"),
   * then closes the connections; idempotent. In streams mode, durable groups first settle the events they have in
   * hand (up to the drain timeout) and release their partitions. A stop during a start waits for that start to end.
   */
  @Override
  public Mono<Void> stop() {
    return transport.stop();
  }

  /**
   * Publishes an event; see the class comment for each mode. Lazy: nothing happens until the {@code Mono} is
   * subscribed. Events without a source or time get the bus's source and the current time first, so every bus sees
   * the same event.
   *
   * <p>In streams mode a publish, once subscribed, runs to its end even if the subscriber cancels: the append may
   * already be stored, and this bus's subscriptions then get the event like every other bus's.
   *
   * @return this bus's {@link PublishResult}; or {@link BusNotStartedException} when the bus is not running
   *     (nothing delivered anywhere), {@link io.fluxbus.CodecException} when the payload cannot be written as JSON
   *     (nothing delivered anywhere), {@link io.fluxbus.EngineUnavailableException} when Redis did not take it (in
   *     pub/sub mode it was delivered locally; in streams mode nowhere)
   */
  @Override
  public Mono<PublishResult> publish(Event<?> event) {
    Objects.requireNonNull(event, "event must not be null");
    Observations observations = transport.local().observations();
    return observations == null ? transport.publish(event) : observations.publish(event, transport::publish);
  }

  @Override
  public Mono<PublishResult> publish(String topic, Object payload) {
    return publish(Event.of(topic, payload));
  }

  /**
   * Stores {@code event} and appends it to the log at {@code deliverAt}; streams mode only. Every running bus of the
   * namespace checks for due events every 100 ms, so the event is appended within about that of its time, by
   * exactly one of them, and reaches every bus like any other event. See {@link DurableEventBus#publishAt}.
   *
   * @return the result once stored; {@link UnsupportedOperationException} in pub/sub mode, which stores nothing
   */
  @Override
  public Mono<PublishResult> publishAt(Event<?> event, Instant deliverAt) {
    Objects.requireNonNull(event, "event must not be null");
    Objects.requireNonNull(deliverAt, "deliverAt must not be null");
    Observations observations = transport.local().observations();
    return observations == null ? transport.publishAt(event, deliverAt)
        : observations.publish(event, traced -> transport.publishAt(traced, deliverAt));
  }

  /**
   * Moves a durable group on every partition; streams mode only. See {@link DurableEventBus#resetGroup}.
   *
   * @return completes once Redis recorded it; {@link UnsupportedOperationException} in pub/sub mode
   */
  @Override
  public Mono<Void> resetGroup(String group, String pattern, StartPosition position) {
    Objects.requireNonNull(group, "group must not be null");
    TopicPattern parsed = TopicPattern.of(pattern);
    Objects.requireNonNull(position, "position must not be null");
    return transport.resetGroup(group, parsed.value(), position);
  }

  /**
   * The core's lifecycle events merged with the engine's: {@code ENGINE_DISCONNECTED} / {@code ENGINE_RECONNECTED}
   * when a connection to Redis is lost and back, and {@code EVENT_DROPPED} for received events that no local
   * subscriber could get. Hot; costs nothing when nobody listens.
   */
  @Override
  public Flux<LifecycleEvent> lifecycle() {
    return lifecycle;
  }

  @Override
  public void bindMetrics(MeterRegistry registry) {
    local.bindMetrics(registry);
  }

  /** events this bus received from other buses through Redis pub/sub (0 in streams mode). */
  @VisibleForTesting
  long receivedCount() {
    return transport instanceof PubSubTransport pubSub ? pubSub.received() : 0;
  }

  /** received pub/sub events that reached no local subscriber (0 in streams mode). */
  @VisibleForTesting
  long receiveDroppedCount() {
    return transport instanceof PubSubTransport pubSub ? pubSub.receiveDropped() : 0;
  }

  /** Stops or resumes the lease renewals of this bus's group members (streams mode), as a frozen process would. */
  @VisibleForTesting
  void freezeLeases(boolean frozen) {
    transport.freezeLeases(frozen);
  }

  /**
   * simulates this process dying (streams mode): connections drop at once, durable groups settle
   * nothing and keep their leases until they expire. Call {@link #stop()} afterwards to release what is left.
   */
  @VisibleForTesting
  Mono<Void> halt() {
    return transport.halt();
  }

  /** the client name of this bus's connection with {@code role} (e.g. {@code commands}). */
  @VisibleForTesting
  String clientName(String role) {
    return channels.clientName(role);
  }

  /** the channel this bus publishes events on {@code topic} to (pub/sub mode). */
  @VisibleForTesting
  String channel(String topic) {
    return channels.channel(topic);
  }

  /** this bus's id, the origin of its entries, its consumer name in groups. */
  @VisibleForTesting
  String origin() {
    return channels.origin();
  }

  /** Name, address (without credentials), namespace, mode and state; never the password. */
  @Override
  public String toString() {
    return "RedisEventBus{engine=" + settings.engine() + ", address=" + settings.address() + ", namespace="
        + settings.namespace() + ", mode=" + mode().name().toLowerCase(java.util.Locale.ROOT) + ", connected="
        + transport.connected() + "}";
  }

  /** Configures a {@link RedisEventBus}. Not thread-safe; each {@link #build()} makes a new bus. */
  public static final class Builder extends EngineBuilder<Builder> {
    private String url = "redis://127.0.0.1:6379";
    private String namespace = "fluxbus";
    private int inboundBufferSize = 8192;
    private ClientResources clientResources;
    private java.nio.file.Path trustedCertificates;
    private Duration reconnectDelay = Duration.ofSeconds(1);
    private Mode mode = Mode.PUBSUB;
    private int partitions = StreamsSettings.defaults().partitions();
    private Duration retention;
    private long maxLen;
    private Duration blockTimeout = StreamsSettings.defaults().blockTimeout();
    private Duration claimIdle = StreamsSettings.defaults().claimIdle();
    private int readCount = StreamsSettings.defaults().readCount();

    private Builder() {
      super(TYPE);
    }

    @Override
    protected Builder self() {
      return this;
    }

    /** How events travel between buses ({@link Mode#PUBSUB}). */
    public Builder mode(Mode mode) {
      this.mode = Objects.requireNonNull(mode, "mode must not be null");
      return this;
    }

    /**
     * Streams mode: streams per namespace (1). Events with one key, and keyless events on one topic, keep their
     * order within a partition; a group's members share the partitions out, so more partitions let more members
     * work at once. Fixed for a namespace: buses of one namespace must agree.
     */
    public Builder partitions(int partitions) {
      this.partitions = partitions;
      return this;
    }

    /** Streams mode: entries older than this are trimmed (approximately); kept forever by default. */
    public Builder retention(Duration retention) {
      this.retention = Objects.requireNonNull(retention, "retention must not be null");
      return this;
    }

    /** Streams mode: each partition is trimmed to about this many entries; no limit by default. */
    public Builder maxLen(long maxLen) {
      this.maxLen = maxLen;
      return this;
    }

    /** Streams mode: how long one blocking read waits (1 s): how soon a reader sees a stop or a rebalance. */
    public Builder blockTimeout(Duration blockTimeout) {
      this.blockTimeout = Objects.requireNonNull(blockTimeout, "blockTimeout must not be null");
      return this;
    }

    /**
     * Streams mode: a group member's lease on its partitions (30 s). A member that dies mid-handler has its events
     * delivered to another member within this time; a member that stalls longer loses its partitions.
     */
    public Builder claimIdle(Duration claimIdle) {
      this.claimIdle = Objects.requireNonNull(claimIdle, "claimIdle must not be null");
      return this;
    }

    /** Streams mode: entries read per round trip (100). */
    public Builder readCount(int readCount) {
      this.readCount = readCount;
      return this;
    }

    /**
     * The server: {@code redis://[[user:]password@]host[:port][/db]}, {@code rediss://} for TLS
     * ({@code redis://127.0.0.1:6379} by default). Lettuce's query options such as {@code ?timeout=5s} apply.
     */
    public Builder url(String url) {
      this.url = Objects.requireNonNull(url, "url must not be null");
      return this;
    }

    /**
     * The channel prefix ({@code fluxbus}): buses with the same server and namespace exchange events, others do
     * not. Letters, digits, {@code _ - .}.
     */
    public Builder namespace(String namespace) {
      this.namespace = Objects.requireNonNull(namespace, "namespace must not be null");
      return this;
    }

    /**
     * How many received events wait (8192) while local subscribers are busy, e.g. a {@code block} subscription
     * with a full buffer; beyond that, received events are dropped and reported.
     */
    public Builder inboundBufferSize(int inboundBufferSize) {
      this.inboundBufferSize = inboundBufferSize;
      return this;
    }

    /**
     * For {@code rediss://}: a PEM file of the certificates to trust (a private CA, a self-signed server); the JVM's
     * trust store by default. The server's name or address must match its certificate.
     */
    public Builder trustedCertificates(java.nio.file.Path pemFile) {
      this.trustedCertificates = Objects.requireNonNull(pemFile, "pemFile must not be null");
      return this;
    }

    /**
     * The longest wait between reconnect attempts after a connection to Redis was lost (1 s): attempts start at
     * about 50 ms and double up to this, each with random jitter (half of it), so a bus is back within about this
     * long after the server is, and many buses do not reconnect in lockstep. Applies to the bus's own client
     * resources; with {@link #clientResources} the shared resources' reconnect delay applies.
     */
    public Builder reconnectDelay(Duration reconnectDelay) {
      this.reconnectDelay = Objects.requireNonNull(reconnectDelay, "reconnectDelay must not be null");
      return this;
    }

    /** Lettuce resources to share (threads, event loops); the bus never shuts them down. */
    public Builder clientResources(ClientResources clientResources) {
      this.clientResources = Objects.requireNonNull(clientResources, "clientResources must not be null");
      return this;
    }

    /**
     * Creates the bus, not yet started; nothing connects before {@code start()}.
     *
     * @throws IllegalArgumentException if the url is not a Redis URL (message shows it with the password masked),
     *     the namespace is invalid, a size is below 1, a duration is not positive, or a streams-mode setting
     *     (partitions, retention, maxLen) is given in pub/sub mode
     */
    public RedisEventBus build() {
      if (mode == Mode.PUBSUB && (partitions != StreamsSettings.defaults().partitions() || retention != null
          || maxLen != 0)) {
        throw new IllegalArgumentException("partitions, retention and maxLen apply to streams mode only; this bus "
            + "runs in pub/sub mode, which stores nothing (set mode STREAMS)");
      }
      StreamsSettings streams = mode == Mode.STREAMS
          ? new StreamsSettings(partitions, retention, maxLen, blockTimeout, claimIdle, readCount) : null;
      if (trustedCertificates != null && !java.nio.file.Files.isReadable(trustedCertificates)) {
        throw new IllegalArgumentException("trustedCertificates '" + trustedCertificates + "' is not a readable file");
      }
      RedisSettings settings = new RedisSettings(RedisAddress.parse(url), namespace, inboundBufferSize,
          clientResources, localSettings(), streams, trustedCertificates, reconnectDelay);
      return withMetrics(new RedisEventBus(settings));
    }
  }
}
