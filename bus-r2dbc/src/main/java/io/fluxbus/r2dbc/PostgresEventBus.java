package io.fluxbus.r2dbc;

import io.fluxbus.BusException;
import io.fluxbus.BusMetrics;
import io.fluxbus.BusNotStartedException;
import io.fluxbus.DeliveryMode;
import io.fluxbus.EngineUnavailableException;
import io.fluxbus.Event;
import io.fluxbus.EventBus;
import io.fluxbus.EventHandler;
import io.fluxbus.LifecycleEvent;
import io.fluxbus.PublishResult;
import io.fluxbus.SubscribeOptions;
import io.fluxbus.codec.EventCodec;
import io.fluxbus.spi.ForwardingEventBus;
import io.fluxbus.spi.LocalEventBus;
import io.fluxbus.spi.LocalSettings;
import io.micrometer.core.instrument.MeterRegistry;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.pool.ConnectionPoolConfiguration;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.Result;
import io.r2dbc.spi.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The {@code postgres} engine: a durable, append-only event log in PostgreSQL, read back by every bus and fanned out
 * to its local subscriptions.
 *
 * <p><b>Publishing</b> is lazy, as everywhere in Reactor: nothing happens until the returned {@code Mono} is
 * subscribed. Then the event (CloudEvents JSON, {@link EventCodec}) is appended in its own transaction; once that
 * commits, other processes are woken through a coalesced {@code NOTIFY} and the event is fanned out to this process's
 * subscriptions, in the form every process reads back from the log. So a {@link PublishResult} means: <em>the event
 * is committed to the log</em> (every bus on the schema will read it, whatever happens to this process next), and
 * {@code delivered}/{@code dropped} count <em>this process's</em> subscriptions with the memory engine's rules.
 * Other processes count their own when their tailer reads the event. A failed append signals an error and stores
 * nothing.
 *
 * <p><b>Reading.</b> Each bus tails the log from where it started, in transaction-id order below the visibility
 * horizon (never skipping a row that commits late, see {@code LogTailer}), and fans out the events other processes
 * (and outbox transactions) appended. An open transaction anywhere in the cluster delays that delivery until it
 * ends. Events from one publisher arrive in its publish order; events of concurrent publishers may interleave
 * differently in different processes.
 *
 * <p><b>Outbox:</b> {@link #publish(Connection, Event)} appends on the caller's connection, inside the caller's
 * transaction: the event exists if and only if that transaction commits.
 *
 * <p><b>Subscriptions</b> are those of the in-process core: a new subscription sees events fanned out after it was
 * made. Sync subscribers run on the bus's single delivery thread, not on the publishing thread (the publish is
 * fanned out after the database answered). Consumer groups compete within one process in this version; durable
 * groups spanning processes are not built yet.
 *
 * <p>{@link #start()} connects, creates or migrates the schema (safe when processes start at once) and starts
 * tailing at the head of the log; it fails with {@link EngineUnavailableException} naming {@code host:port/database}
 * (never a password). Thread-safe.
 */
public final class PostgresEventBus extends ForwardingEventBus {

  /** The engine type name used in configuration. */
  public static final String TYPE = "postgres";

  private static final Duration ACQUIRE_TIMEOUT = Duration.ofSeconds(10);
  private static final int STOPPED = 0;
  private static final int RUNNING = 1;
  private static final int STOPPING = 2;

  private final LocalEventBus local;
  private final ServerAddress address;
  private final LogSchema schema;
  private final EventCodec codec;
  private final Duration pollInterval;
  private final int batchSize;
  private final int poolInitialSize;
  private final int poolMaxSize;
  private final String origin = UUID.randomUUID().toString();
  private final AtomicInteger appending = new AtomicInteger();
  private final Set<DurableGroup> groups = ConcurrentHashMap.newKeySet();
  private final Duration groupLease;
  private final Duration retentionPeriod;
  private final EngineEvents engineEvents;
  private final Object lock = new Object();
  private volatile int state = STOPPED;
  private volatile Running running;
  private Mono<Void> starting;
  private Mono<Void> stopping;

  /** What exists while the bus runs. */
  private record Running(ConnectionPool pool, Scheduler scheduler, LogTailer tailer, WakeupNotifier notifier,
                         Disposable listener, LogRetention retention, Disposable retaining) {}

  private PostgresEventBus(Builder builder) {
    LocalSettings localSettings = builder.local.build();
    this.local = new LocalEventBus(localSettings);
    this.address = ServerAddress.of(builder.url, builder.user, builder.password, builder.sslMode);
    this.schema = new LogSchema(builder.schema);
    this.codec = builder.codec;
    this.pollInterval = builder.pollInterval;
    this.batchSize = builder.batchSize;
    this.poolInitialSize = builder.poolInitialSize;
    this.poolMaxSize = builder.poolMaxSize;
    this.engineEvents = new EngineEvents(localSettings.engine());
    this.groupLease = builder.groupLease;
    this.retentionPeriod = builder.retention;
    // dead letters go through the log too, so every process sees them
    local.publishDerivedEventsThrough(this);
  }

  /** Starts configuring a bus for {@code url} ({@code r2dbc:postgresql://[user[:password]@]host[:port]/database}). */
  public static Builder builder(String url) {
    return new Builder(url);
  }

  @Override
  protected EventBus delegate() {
    return local;
  }

  /**
   * Connects, creates or migrates the schema, positions the tailer at the head of the log, starts LISTENing and
   * polling, then starts local delivery. Idempotent; concurrent calls share one start.
   *
   * @return completes when running; signals {@link EngineUnavailableException} naming {@code host:port/database}
   *     when the server cannot be used, leaving the bus stopped
   */
  @Override
  public Mono<Void> start() {
    return Mono.defer(() -> {
      synchronized (lock) {
        if (state == RUNNING) {
          return Mono.empty();
        }
        if (state == STOPPING) {
          return Mono.error(new IllegalStateException("bus '" + local.settings().engine()
              + "' is stopping; start it after stop() completes"));
        }
        if (starting == null) {
          starting = connect().doFinally(signal -> {
            synchronized (lock) {
              starting = null;
            }
          }).cache();
        }
        return starting;
      }
    });
  }

  private Mono<Void> connect() {
    return Mono.defer(() -> {
      ConnectionFactory direct = ConnectionFactories.get(address.options("fluxbus:" + local.settings().engine()
          + ":" + schema.schema));
      ConnectionFactory listening = ConnectionFactories.get(address.options("fluxbus-listener:"
          + local.settings().engine() + ":" + schema.schema));
      ConnectionPool pool = new ConnectionPool(ConnectionPoolConfiguration.builder(direct)
          .name("fluxbus-" + local.settings().engine())
          .initialSize(poolInitialSize)
          .maxSize(poolMaxSize)
          .build());
      Scheduler scheduler = Schedulers.newSingle("fluxbus-" + local.settings().engine() + "-delivery", true);
      LogTailer tailer = new LogTailer(pool, schema, codec, local, origin, scheduler, pollInterval, batchSize,
          engineEvents);
      return new SchemaMigrator(schema).migrate(pool)
          .then(tailer.start())
          .then(local.start())
          .then(Mono.fromRunnable(() -> {
            Disposable listener = new WakeupListener(listening, schema, () -> {
              tailer.wake();
              wakeGroups();
            }, engineEvents, scheduler).start();
            LogRetention retention = retentionPeriod == null ? null
                : new LogRetention(pool, schema, retentionPeriod, scheduler, engineEvents);
            Disposable retaining = retention == null ? () -> { } : retention.start();
            synchronized (lock) {
              running = new Running(pool, scheduler, tailer, new WakeupNotifier(pool, schema), listener, retention,
                  retaining);
              state = RUNNING;
            }
          }))
          .onErrorResume(error -> tailer.stop(Duration.ZERO)
              .then(pool.disposeLater())
              .onErrorResume(closeError -> Mono.empty())
              .then(Mono.fromRunnable(scheduler::dispose))
              .then(Mono.error(unavailable(error))))
          .then();
    });
  }

  private BusException unavailable(Throwable error) {
    if (error instanceof BusException bus) {
      return bus;
    }
    return new EngineUnavailableException("PostgreSQL engine '" + local.settings().engine() + "' cannot use "
        + address.display() + " (schema '" + schema.schema + "'): " + error.getMessage(), error);
  }

  /**
   * Refuses new publishes ({@link BusNotStartedException}), waits up to {@code drainTimeout} for appends in flight
   * to commit and fan out, stops tailing after the pass in progress, stops local delivery (draining per the core's
   * rules), then closes the listener and the pool. Idempotent.
   */
  @Override
  public Mono<Void> stop() {
    return Mono.defer(() -> {
      synchronized (lock) {
        if (stopping != null) {
          return stopping;
        }
        if (state != RUNNING) {
          return Mono.empty();
        }
        state = STOPPING;
        Running stopped = running;
        // reset before completing, so that a start() right after stop() completes finds the bus stopped
        Runnable stoppedState = () -> {
          synchronized (lock) {
            state = STOPPED;
            running = null;
            stopping = null;
          }
        };
        stopping = shutDown(stopped)
            .then(Mono.fromRunnable(stoppedState))
            .onErrorResume(error -> Mono.fromRunnable(stoppedState).then(Mono.error(error)))
            .then()
            .cache();
        return stopping;
      }
    });
  }

  private Mono<Void> shutDown(Running stopped) {
    Duration drain = local.settings().drainTimeout();
    Mono<Void> appendsDone = Flux.interval(Duration.ZERO, Duration.ofMillis(2), stopped.scheduler())
        .filter(tick -> appending.get() == 0)
        .next()
        .timeout(drain, Mono.empty(), stopped.scheduler())
        .then();
    return appendsDone
        .then(Flux.fromIterable(groups).flatMap(group -> group.leave(drain)).then())
        .then(Mono.fromRunnable(groups::clear))
        .then(stopped.tailer().stop(drain))
        .then(local.stop())
        .then(Mono.defer(() -> {
          stopped.listener().dispose();
          stopped.retaining().dispose();
          return stopped.pool().disposeLater();
        }))
        .doFinally(signal -> stopped.scheduler().dispose());
  }

  /**
   * Appends {@code event} to the log in its own transaction and, once committed, fans it out to this process's
   * subscriptions (as read back from its stored form) and completes. Lazy. See the class comment for what the
   * result counts.
   *
   * @return the result; signals {@link BusNotStartedException} unless running, and
   *     {@link EngineUnavailableException} when the append fails, in which case nothing was stored
   * @throws NullPointerException at the call if {@code event} is null
   */
  @Override
  public Mono<PublishResult> publish(Event<?> event) {
    Objects.requireNonNull(event, "event must not be null");
    return Mono.defer(() -> {
      Running current = running;
      if (state != RUNNING || current == null) {
        return Mono.error(notStarted(event.topic()));
      }
      Event<?> stamped = stamp(event);
      String json = codec.encodeToString(stamped);
      appending.incrementAndGet();
      return Mono.usingWhen(acquire(current), c -> append(c, stamped, json, origin), Connection::close)
          .onErrorMap(error -> unavailable(error))
          // subscribers get the event as every other process reads it, on the bus's delivery thread
          .publishOn(current.scheduler())
          .flatMap(position -> {
            current.notifier().request();
            wakeGroups();
            return local.publish(codec.decode(json));
          })
          // stop() waits for this, so a committed event is fanned out before local delivery stops
          .doFinally(signal -> appending.decrementAndGet());
    });
  }

  /** A pooled connection, waiting at most 10 s; timed on the bus's own thread so virtual time cannot expire it. */
  static Mono<? extends Connection> acquire(ConnectionPool pool, Scheduler scheduler) {
    return pool.create().timeout(ACQUIRE_TIMEOUT, scheduler);
  }

  private static Mono<? extends Connection> acquire(Running current) {
    return acquire(current.pool(), current.scheduler());
  }

  /** Publishes {@code Event.of(topic, payload)}; see {@link #publish(Event)}. */
  @Override
  public Mono<PublishResult> publish(String topic, Object payload) {
    return publish(Event.of(topic, payload));
  }

  /**
   * The outbox: appends {@code event} on the caller's {@code connection}, inside whatever transaction the caller has
   * begun on it, and queues a wake-up NOTIFY in the same transaction. The event is stored, and delivered to every
   * bus on the schema, if and only if that transaction commits; on rollback nothing is stored and nothing is
   * notified. The connection is not closed, committed or rolled back here. Lazy.
   *
   * <pre>{@code
   * Mono.usingWhen(connectionFactory.create(), c -> Mono.from(c.beginTransaction())
   *         .then(saveOrder(c, order))
   *         .then(bus.publish(c, Event.of("order.placed", order)))
   *         .then(Mono.from(c.commitTransaction())),
   *     Connection::close);
   * }</pre>
   *
   * @param connection a connection to the same database (any R2DBC PostgreSQL connection, pooled or not)
   * @return the event as stored (source and time filled in); signals {@link BusNotStartedException} unless the bus
   *     runs (its schema must exist) and the driver's error if the insert fails
   * @throws NullPointerException at the call if an argument is null
   */
  public <T> Mono<Event<T>> publish(Connection connection, Event<T> event) {
    Objects.requireNonNull(connection, "connection must not be null");
    Objects.requireNonNull(event, "event must not be null");
    return Mono.defer(() -> {
      if (state != RUNNING) {
        return Mono.error(notStarted(event.topic()));
      }
      Event<T> stamped = stamp(event);
      String json = codec.encodeToString(stamped);
      return append(connection, stamped, json, null)
          .then(Flux.from(connection.createStatement(schema.notify).bind(0, schema.channel).execute())
              .flatMap(Result::getRowsUpdated).then())
          .thenReturn(stamped);
    });
  }

  private <T> Event<T> stamp(Event<T> event) {
    return event.withDefaults(local.settings().source(), Instant.now());
  }

  private Mono<Long> append(Connection connection, Event<?> event, String json, String origin) {
    Statement insert = connection.createStatement(schema.append)
        .bind(0, event.id())
        .bind(1, event.topic());
    bindNullable(insert, 2, event.key());
    bindNullable(insert, 3, origin);
    insert.bind(4, json);
    return Mono.from(insert.execute())
        .flatMap(result -> Mono.from(result.map((row, meta) -> row.get("position", Long.class))));
  }

  private static void bindNullable(Statement statement, int index, String value) {
    if (value == null) {
      statement.bindNull(index, String.class);
    } else {
      statement.bind(index, value);
    }
  }

  private BusNotStartedException notStarted(String topic) {
    return new BusNotStartedException("Cannot publish '" + topic + "': bus '" + local.settings().engine() + "' is "
        + (state == STOPPING ? "stopping" : "not started") + "; call start() first");
  }

  /** The local bus's lifecycle merged with the engine's connection events. */
  @Override
  public Flux<LifecycleEvent> lifecycle() {
    return Flux.merge(local.lifecycle(), engineEvents.flux());
  }

  @Override
  public void bindMetrics(MeterRegistry registry) {
    local.bindMetrics(registry);
  }

  /**
   * Joins the durable consumer group {@code options.group()} on {@code pattern} as one member: members on every bus
   * of the schema compete for the group's lease; the holder handles each matching event, acknowledging it after the
   * handler's {@code Mono} completes (see {@link DurableGroup}). Not yet reachable through
   * {@code subscribe(…, group(…), …)}: that needs the contract to say how {@code PublishResult} counts a group
   * whose delivery happens later and elsewhere.
   *
   * @return the member once its group's cursor exists; signals {@link BusNotStartedException} unless running
   */
  Mono<DurableGroup> joinDurableGroup(String pattern, SubscribeOptions options, EventHandler handler) {
    io.fluxbus.TopicPattern parsed = io.fluxbus.TopicPattern.of(pattern);
    String group = options.group().orElseThrow(() -> new IllegalArgumentException("options name no group"));
    Objects.requireNonNull(handler, "handler must not be null");
    return Mono.defer(() -> {
      Running current = running;
      if (state != RUNNING || current == null) {
        return Mono.error(new BusNotStartedException("Cannot join group '" + group + "': bus '"
            + local.settings().engine() + "' is not running"));
      }
      DurableGroup member = new DurableGroup(group, parsed, options, handler, current.pool(), schema, codec,
          this, current.scheduler(), pollInterval, groupLease, batchSize, engineEvents);
      return member.start().then(Mono.fromCallable(() -> {
        groups.add(member);
        return member;
      }));
    });
  }

  /** Leaves a durable group: the member finishes the event in hand, then releases its lease. */
  Mono<Void> leave(DurableGroup member) {
    return Mono.defer(() -> groups.remove(member) ? member.leave(local.settings().drainTimeout()) : Mono.empty());
  }

  private void wakeGroups() {
    for (DurableGroup group : groups) {
      group.wake();
    }
  }

  /** The schema this bus uses. */
  public String schema() {
    return schema.schema;
  }

  /** Retention while running with one configured, else null; for tests in this package. */
  LogRetention retention() {
    Running current = running;
    return current == null ? null : current.retention();
  }

  /** The tailer while running, else null; for tests in this package. */
  LogTailer tailer() {
    Running current = running;
    return current == null ? null : current.tailer();
  }

  @Override
  public String toString() {
    return "PostgresEventBus{engine=" + local.settings().engine() + ", server=" + address.display() + ", schema="
        + schema.schema + ", state=" + (state == RUNNING ? "running" : state == STOPPING ? "stopping" : "stopped")
        + "}";
  }

  /**
   * Configures a {@link PostgresEventBus}. Not thread-safe; each {@link #build()} makes a new bus. The password is
   * kept only to connect: never printed.
   */
  public static final class Builder {
    private final String url;
    private String user;
    private CharSequence password;
    private String sslMode;
    private String schema = "fluxbus";
    private int poolInitialSize = 1;
    private int poolMaxSize = 10;
    private Duration pollInterval = Duration.ofMillis(500);
    private int batchSize = 256;
    private final LocalSettings.Builder local = LocalSettings.builder(TYPE);
    private EventCodec codec = EventCodec.json();
    private Duration groupLease = Duration.ofSeconds(30);
    private Duration retention;
    private MeterRegistry meterRegistry;

    private Builder(String url) {
      this.url = Objects.requireNonNull(url, "url must not be null");
    }

    /** Reads the keys every engine's local delivery shares (see {@link LocalSettings.Builder#read}). */
    Builder readLocal(io.fluxbus.spi.EngineSettings settings) {
      local.read(settings);
      return this;
    }

    /** The user, overriding the URL's. */
    public Builder user(String user) {
      this.user = Objects.requireNonNull(user, "user must not be null");
      return this;
    }

    /** The password, overriding the URL's; never printed. */
    public Builder password(CharSequence password) {
      this.password = Objects.requireNonNull(password, "password must not be null");
      return this;
    }

    /** {@code disable}, {@code allow}, {@code prefer}, {@code require}, {@code verify-ca} or {@code verify-full}. */
    public Builder sslMode(String sslMode) {
      this.sslMode = Objects.requireNonNull(sslMode, "sslMode must not be null");
      return this;
    }

    /** The schema holding the log ({@code fluxbus}); lowercase letters, digits and '_', at most 48 characters. */
    public Builder schema(String schema) {
      this.schema = LogSchema.requireIdentifier(schema);
      return this;
    }

    /** Connections the pool opens first (1). */
    public Builder poolInitialSize(int poolInitialSize) {
      this.poolInitialSize = poolInitialSize;
      return this;
    }

    /** The most pooled connections (10); the LISTEN connection is extra. */
    public Builder poolMaxSize(int poolMaxSize) {
      this.poolMaxSize = poolMaxSize;
      return this;
    }

    /** How often the log is read when no wake-up arrives (500 ms): the most a lost NOTIFY delays delivery. */
    public Builder pollInterval(Duration pollInterval) {
      this.pollInterval = Objects.requireNonNull(pollInterval, "pollInterval must not be null");
      return this;
    }

    /** Rows read per query (256). */
    public Builder batchSize(int batchSize) {
      this.batchSize = batchSize;
      return this;
    }

    /** The engine name for the {@code engine} metric tag and lifecycle events; {@code postgres} by default. */
    public Builder name(String name) {
      local.engine(name);
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

    /** Default delivery mode when a local buffer is full (drop). */
    public Builder deliveryMode(DeliveryMode deliveryMode) {
      local.deliveryMode(deliveryMode);
      return this;
    }

    /** The longest a {@code block} fan-out waits before dropping; no limit by default. */
    public Builder publishBlockTimeout(Duration publishBlockTimeout) {
      local.publishBlockTimeout(publishBlockTimeout);
      return this;
    }

    /** How long {@code stop()} lets read-back and buffers drain (5 s). */
    public Builder drainTimeout(Duration drainTimeout) {
      local.drainTimeout(drainTimeout);
      return this;
    }

    /** The CloudEvents source stamped on events published without one ({@code fluxbus}). */
    public Builder source(String source) {
      local.source(source);
      return this;
    }

    /** The codec for stored events ({@link EventCodec#json()}). */
    public Builder codec(EventCodec codec) {
      this.codec = Objects.requireNonNull(codec, "codec must not be null");
      return this;
    }

    /** How long a durable group member's lease lasts without renewal (30 s): the redelivery delay after a crash. */
    Builder groupLease(Duration groupLease) {
      this.groupLease = Objects.requireNonNull(groupLease, "groupLease must not be null");
      return this;
    }

    /**
     * Deletes events older than {@code retention} (none by default: the log is kept). An event is deleted only once
     * every durable group has acknowledged it.
     */
    public Builder retention(Duration retention) {
      this.retention = Objects.requireNonNull(retention, "retention must not be null");
      return this;
    }

    /** A registry to bind the bus's meters to at build time. */
    public Builder meterRegistry(MeterRegistry meterRegistry) {
      this.meterRegistry = meterRegistry;
      return this;
    }

    /**
     * Creates the bus, not yet started (no connection is made here).
     *
     * @throws io.fluxbus.ConfigException if the URL is not an r2dbc PostgreSQL URL
     * @throws IllegalArgumentException if a size is below 1 or a duration is not positive
     */
    public PostgresEventBus build() {
      requirePositive("poolInitialSize", poolInitialSize);
      requirePositive("poolMaxSize", poolMaxSize);
      requirePositive("batchSize", batchSize);
      if (poolInitialSize > poolMaxSize) {
        throw new IllegalArgumentException("poolInitialSize (" + poolInitialSize + ") must not exceed poolMaxSize ("
            + poolMaxSize + ")");
      }
      if (retention != null && (retention.isNegative() || retention.isZero())) {
        throw new IllegalArgumentException("retention must be positive, got " + retention);
      }
      if (pollInterval.isNegative() || pollInterval.isZero()) {
        throw new IllegalArgumentException("pollInterval must be positive, got " + pollInterval);
      }
      PostgresEventBus bus = new PostgresEventBus(this);
      if (meterRegistry != null) {
        BusMetrics.bind(bus, meterRegistry);
      }
      return bus;
    }

    private static void requirePositive(String what, int value) {
      if (value < 1) {
        throw new IllegalArgumentException(what + " must be 1 or more, got " + value);
      }
    }
  }
}
