package io.fluxbus.redis;

import io.fluxbus.BusMetrics;
import io.fluxbus.DeliveryMode;
import io.fluxbus.Event;
import io.fluxbus.EventBus;
import io.fluxbus.LifecycleEvent;
import io.fluxbus.PublishResult;
import io.fluxbus.codec.EventCodec;
import io.fluxbus.spi.ForwardingEventBus;
import io.fluxbus.spi.LocalEventBus;
import io.fluxbus.spi.LocalSettings;
import io.lettuce.core.resource.ClientResources;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The {@code redis} engine in pub/sub mode: events cross processes through Redis {@code PUBLISH}, at most once, as
 * CloudEvents JSON; all buses on one server and {@code namespace} see each other's events.
 *
 * <p><b>Delivery.</b> {@link #publish} (lazy, as everywhere in Reactor: nothing happens until the {@code Mono} is
 * subscribed) first delivers to this bus's own subscriptions exactly as the memory engine does (sync subscribers
 * on the publishing thread, async buffers with the delivery modes, in-process groups, retries and dead letters),
 * then sends the event to Redis for every other bus. Each bus subscribes one pattern, {@code <namespace>:*}, on a
 * dedicated connection from {@link #start()} on and fans what it receives out to its subscriptions through the same
 * in-process core, one event at a time in arrival order; it skips its own events. So a subscription is active as
 * soon as {@code subscribe} returns, and subscribing costs no round trip.
 *
 * <p><b>Results and counters.</b> {@link PublishResult} counts this bus's subscriptions, per ARCHITECTURE §3:
 * {@code delivered} took the event, {@code dropped} refused it. Subscriptions on other buses are counted by those
 * buses when the event arrives there, in their own {@code stats()} ({@code published} counts the events a bus
 * dispatched to its subscriptions: its own publishes and the ones it received). Consumer groups are per bus: each
 * bus's group gets its own copy (use streams mode for groups that span processes).
 *
 * <p><b>Failures.</b> {@code start()} signals {@link io.fluxbus.EngineUnavailableException} naming the address
 * when Redis cannot be reached. A publish whose {@code PUBLISH} fails (Redis down, connection lost) signals
 * {@code EngineUnavailableException} after this bus's subscriptions got the event; no other bus got it. Lettuce
 * reconnects on its own and re-subscribes the pattern; events published while a bus was disconnected never reach
 * it, which {@link #lifecycle()} reports as {@code ENGINE_DISCONNECTED} and then {@code ENGINE_RECONNECTED}.
 * Received events that cannot be handed to local subscribers (beyond {@code inboundBufferSize}, undecodable, or
 * arriving during stop) are reported as {@code EVENT_DROPPED}. No password appears in messages, logs or
 * {@link #toString()}.
 *
 * <pre>{@code
 * EventBus bus = RedisEventBus.builder().url("redis://:secret@redis:6379").namespace("shop")
 *     .source("orders-service").build();
 * bus.start().block();
 * }</pre>
 *
 * Thread-safe. {@code start()} and {@code stop()} are idempotent; a {@code stop()} during a {@code start()} waits for
 * the connection attempt and then stops.
 */
public final class RedisEventBus extends ForwardingEventBus {

  /** The engine type name used in configuration. */
  public static final String TYPE = "redis";

  private final RedisSettings settings;
  private final LocalEventBus local;
  private final EngineEvents engineEvents;
  private final PubSubChannels channels;
  private final PubSubReceiver receiver;
  private final EventCodec codec = EventCodec.json();
  private final Flux<LifecycleEvent> lifecycle;
  private final Object lock = new Object();
  private volatile RedisSession session;  // written under lock, read without it on the publish path
  private Mono<Void> opening;             // guarded by lock

  private RedisEventBus(RedisSettings settings) {
    this.settings = settings;
    this.local = new LocalEventBus(settings.local());
    this.engineEvents = new EngineEvents(settings.engine());
    this.channels = PubSubChannels.create(settings.namespace());
    this.receiver = new PubSubReceiver(channels, local, codec, engineEvents);
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

  /**
   * Connects to Redis, subscribes the namespace's pattern and starts the local core; idempotent. Completes once
   * Redis confirmed the subscription, so events other buses publish from then on reach this one.
   *
   * @return a {@code Mono} that signals {@link io.fluxbus.EngineUnavailableException} naming the address (never
   *     the password) when Redis cannot be reached or refuses the credentials; the bus then stays stopped
   */
  @Override
  public Mono<Void> start() {
    return Mono.defer(() -> {
      synchronized (lock) {
        if (session != null) {
          return local.start();
        }
        if (opening == null) {
          opening = RedisSession.open(settings, channels, receiver, engineEvents)
              .doOnNext(opened -> {
                synchronized (lock) {
                  session = opened;
                  opening = null;
                }
              })
              .doOnError(error -> {
                synchronized (lock) {
                  opening = null;
                }
              })
              .then(Mono.defer(local::start))
              .cache();
        }
        return opening;
      }
    });
  }

  /**
   * Stops the local core as described in ARCHITECTURE §4 (refuse publishes, drain for up to {@code drainTimeout},
   * complete every subscription), then unsubscribes from Redis and closes the connections; idempotent.
   */
  @Override
  public Mono<Void> stop() {
    return Mono.defer(() -> {
      Mono<Void> pending;
      synchronized (lock) {
        pending = opening;
      }
      // a start still connecting finishes first, so that stop never leaves a bus that starts afterwards
      Mono<Void> started = pending == null ? Mono.empty() : pending.onErrorResume(error -> Mono.empty());
      return started.then(local.stop()).then(Mono.defer(() -> {
        RedisSession closing;
        synchronized (lock) {
          closing = session;
          session = null;
        }
        return closing == null ? Mono.empty() : closing.close();
      }));
    });
  }

  /**
   * Delivers the event to this bus's subscriptions, then publishes it on Redis for the other buses of the
   * namespace. Lazy: nothing happens until the {@code Mono} is subscribed. Events without a source or time get the
   * bus's source and the current time before either, so every bus sees the same event.
   *
   * @return the local {@link PublishResult}, after Redis accepted the {@code PUBLISH}; or
   *     {@link io.fluxbus.BusNotStartedException} when the bus is not running (nothing delivered anywhere),
   *     {@link io.fluxbus.CodecException} when the payload cannot be written as JSON (nothing delivered anywhere),
   *     {@link io.fluxbus.EngineUnavailableException} when Redis did not take it (delivered locally only)
   */
  @Override
  public Mono<PublishResult> publish(Event<?> event) {
    Objects.requireNonNull(event, "event must not be null");
    return Mono.defer(() -> {
      Event<?> stamped = event.withDefaults(settings.local().source(), Instant.now());
      byte[] body = codec.encode(stamped);
      return local.publish(stamped).flatMap(result -> {
        RedisSession current = currentSession();
        if (current == null) {
          // stopped between the local delivery and now: nobody else can be told any more
          return Mono.just(result);
        }
        return current.publish(channels.channel(stamped.topic()), body).thenReturn(result);
      });
    });
  }

  @Override
  public Mono<PublishResult> publish(String topic, Object payload) {
    return publish(Event.of(topic, payload));
  }

  private RedisSession currentSession() {
    return session;
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

  /** Events this bus received from other buses through Redis since it was created. */
  public long receivedCount() {
    return receiver.received();
  }

  /** Received events that reached no local subscriber: inbound buffer full, undecodable, or bus stopping. */
  public long receiveDroppedCount() {
    return receiver.dropped();
  }

  /** The client name of this bus's connection with {@code role} ({@code commands} or {@code pubsub}). */
  String clientName(String role) {
    return channels.clientName(role);
  }

  /** The channel this bus publishes events on {@code topic} to. */
  String channel(String topic) {
    return channels.channel(topic);
  }

  /** Name, address (without credentials), namespace and state; never the password. */
  @Override
  public String toString() {
    return "RedisEventBus{engine=" + settings.engine() + ", address=" + settings.address() + ", namespace="
        + settings.namespace() + ", mode=pubsub, connected=" + (currentSession() != null) + "}";
  }

  /** Configures a {@link RedisEventBus}. Not thread-safe; each {@link #build()} makes a new bus. */
  public static final class Builder {
    private final LocalSettings.Builder local = LocalSettings.builder(TYPE);
    private String url = "redis://127.0.0.1:6379";
    private String namespace = "fluxbus";
    private int inboundBufferSize = 8192;
    private ClientResources clientResources;
    private MeterRegistry meterRegistry;

    private Builder() {}

    /** The engine name for the {@code engine} metric tag and lifecycle events; {@code redis} by default. */
    public Builder name(String name) {
      local.engine(name);
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

    /** Lettuce resources to share (threads, event loops); the bus never shuts them down. */
    public Builder clientResources(ClientResources clientResources) {
      this.clientResources = Objects.requireNonNull(clientResources, "clientResources must not be null");
      return this;
    }

    /** Default buffer of async subscriptions (256). */
    public Builder bufferSize(int bufferSize) {
      local.bufferSize(bufferSize);
      return this;
    }

    /** Threads draining async subscriptions (one per core). */
    public Builder workers(int workers) {
      local.workers(workers);
      return this;
    }

    /** Default delivery mode when a buffer is full (drop). */
    public Builder deliveryMode(DeliveryMode deliveryMode) {
      local.deliveryMode(deliveryMode);
      return this;
    }

    /** The longest a publish waits in {@code block} mode before dropping; no limit by default. */
    public Builder publishBlockTimeout(Duration publishBlockTimeout) {
      local.publishBlockTimeout(publishBlockTimeout);
      return this;
    }

    /** How long {@code stop()} lets buffers drain and handlers finish (5 s). */
    public Builder drainTimeout(Duration drainTimeout) {
      local.drainTimeout(drainTimeout);
      return this;
    }

    /** The CloudEvents source stamped on events published without one ({@code fluxbus}). */
    public Builder source(String source) {
      local.source(source);
      return this;
    }

    /**
     * Reads the keys every engine's local delivery shares (see {@link LocalSettings.Builder#read}).
     */
    Builder readLocal(io.fluxbus.spi.EngineSettings settings) {
      local.read(settings);
      return this;
    }

    /** A registry to bind the bus's meters to at build time. */
    public Builder meterRegistry(MeterRegistry meterRegistry) {
      this.meterRegistry = meterRegistry;
      return this;
    }

    /**
     * Creates the bus, not yet started; nothing connects before {@code start()}.
     *
     * @throws IllegalArgumentException if the url is not a Redis URL (message shows it with the password masked),
     *     the namespace is invalid, a size is below 1 or a duration is negative
     */
    public RedisEventBus build() {
      RedisSettings settings = new RedisSettings(RedisAddress.parse(url), namespace, inboundBufferSize,
          clientResources, local.build());
      RedisEventBus bus = new RedisEventBus(settings);
      if (meterRegistry != null) {
        BusMetrics.bind(bus, meterRegistry);
      }
      return bus;
    }
  }
}
