package io.fluxbus.r2dbc;

import io.fluxbus.codec.EventCodec;
import io.fluxbus.spi.EngineBuilder;
import java.time.Duration;
import java.util.Objects;

/**
 * Configures a {@link PostgresEventBus}. Not thread-safe; each {@link #build()} makes a new bus. The password is
 * kept only to connect: never printed.
 */
public final class PostgresEventBusBuilder extends EngineBuilder<PostgresEventBusBuilder> {

  private final String url;
  private String user;
  private CharSequence password;
  private String sslMode;
  private String schema = "fluxbus";
  private int partitions = 1;
  private int poolInitialSize = 1;
  private int poolMaxSize = 10;
  /** 0: two, or the whole pool when it is smaller. */
  private int appendConnections;
  private Duration pollInterval = Duration.ofMillis(500);
  /** null: 2 ms, or half of {@code pollInterval} when that is shorter. */
  private Duration notifyInterval;
  private int batchSize = 256;
  private Duration groupLease = Duration.ofSeconds(30);
  private Duration retention;
  private EventCodec codec = EventCodec.json();

  PostgresEventBusBuilder(String url) {
    super(PostgresEventBus.TYPE);
    this.url = Objects.requireNonNull(url, "url must not be null");
  }

  @Override
  protected PostgresEventBusBuilder self() {
    return this;
  }

  /** The user, overriding the URL's. */
  public PostgresEventBusBuilder user(String user) {
    this.user = Objects.requireNonNull(user, "user must not be null");
    return this;
  }

  /** The password, overriding the URL's; never printed. */
  public PostgresEventBusBuilder password(CharSequence password) {
    this.password = Objects.requireNonNull(password, "password must not be null");
    return this;
  }

  /** {@code disable}, {@code allow}, {@code prefer}, {@code require}, {@code verify-ca} or {@code verify-full}. */
  public PostgresEventBusBuilder sslMode(String sslMode) {
    this.sslMode = Objects.requireNonNull(sslMode, "sslMode must not be null");
    return this;
  }

  /** The schema holding the log ({@code fluxbus}); lowercase letters, digits and '_', at most 48 characters. */
  public PostgresEventBusBuilder schema(String schema) {
    this.schema = LogSchema.requireIdentifier(schema);
    return this;
  }

  /**
   * Partitions of the log (1, at most 1024): events with one key (keyless: one topic) share a partition and keep
   * their order; a group's members share the partitions out, so more partitions let more members work at once.
   * Fixed when the schema is created: every bus of a schema must use the same count.
   */
  public PostgresEventBusBuilder partitions(int partitions) {
    this.partitions = partitions;
    return this;
  }

  /** Connections the pool opens first (1). */
  public PostgresEventBusBuilder poolInitialSize(int poolInitialSize) {
    this.poolInitialSize = poolInitialSize;
    return this;
  }

  /** The most pooled connections (10); the LISTEN connection is extra. */
  public PostgresEventBusBuilder poolMaxSize(int poolMaxSize) {
    this.poolMaxSize = poolMaxSize;
    return this;
  }

  /**
   * How many appends run at once (2, at most {@code poolMaxSize}). Concurrent publishes queue while an append runs and
   * the next one inserts all of them in one statement and transaction, so a busy bus commits many events per WAL
   * flush: fewer, fuller appends cost the database less CPU per event (on 2 vCPUs, 1 append at a time published
   * twice as fast as 16); more overlap commits on machines with cores and disks to spare.
   */
  public PostgresEventBusBuilder appendConnections(int appendConnections) {
    this.appendConnections = appendConnections;
    return this;
  }

  /**
   * How often readers poll when no wake-up arrives (500 ms): the most a lost NOTIFY delays delivery, and how late
   * another bus's delayed event may be appended.
   */
  public PostgresEventBusBuilder pollInterval(Duration pollInterval) {
    this.pollInterval = Objects.requireNonNull(pollInterval, "pollInterval must not be null");
    return this;
  }

  /**
   * The least time between two wake-ups this bus sends other processes (NOTIFYs; 2 ms, or half of
   * {@code pollInterval} when that is shorter; must be shorter than {@code pollInterval}, checked by
   * {@link #build()}). A publish on a quiet bus notifies at once; on a busy bus the
   * publishes of one interval share one NOTIFY, so other processes learn of an event at most this much later, and
   * the database commits fewer notifying transactions (each takes a cluster-wide lock).
   */
  public PostgresEventBusBuilder notifyInterval(Duration notifyInterval) {
    this.notifyInterval = Objects.requireNonNull(notifyInterval, "notifyInterval must not be null");
    return this;
  }

  /** Rows read per query (256); for groups, per partition. */
  public PostgresEventBusBuilder batchSize(int batchSize) {
    this.batchSize = batchSize;
    return this;
  }

  /**
   * A group member's lease on its partitions (30 s, at least 100 ms), renewed every third of it: after a member
   * dies, what it had in hand is delivered to another member within this time.
   */
  public PostgresEventBusBuilder groupLease(Duration groupLease) {
    this.groupLease = Objects.requireNonNull(groupLease, "groupLease must not be null");
    return this;
  }

  /**
   * Deletes events older than {@code retention} (none by default: the log is kept). An event is deleted only once
   * every durable group has passed it. Must be longer than {@code pollInterval}, checked by {@link #build()}.
   */
  public PostgresEventBusBuilder retention(Duration retention) {
    this.retention = Objects.requireNonNull(retention, "retention must not be null");
    return this;
  }

  /** The codec for stored events ({@link EventCodec#json()}). */
  public PostgresEventBusBuilder codec(EventCodec codec) {
    this.codec = Objects.requireNonNull(codec, "codec must not be null");
    return this;
  }

  /**
   * Creates the bus, not yet started (no connection is made here).
   *
   * @throws io.fluxbus.ConfigException if the URL is not an r2dbc PostgreSQL URL, if its host cannot be told from
   *     a password that is not percent-encoded, or if no user is given (the URL shown with its credentials masked)
   * @throws IllegalArgumentException naming the setting, if a size or partition count is out of range, a duration
   *     is not positive, {@code retention} is not longer than {@code pollInterval}, or {@code notifyInterval} is not
   *     shorter than it
   */
  public PostgresEventBus build() {
    int appends = appendConnections == 0 ? Math.min(2, poolMaxSize) : appendConnections;
    Duration wakeups = notifyInterval != null ? notifyInterval
        : pollInterval.compareTo(Duration.ofMillis(4)) < 0 ? pollInterval.dividedBy(2) : Duration.ofMillis(2);
    PostgresSettings settings = new PostgresSettings(localSettings(),
        PostgresAddress.of(url, user, password, sslMode), new LogSchema(schema), partitions, pollInterval, wakeups,
        batchSize, poolInitialSize, poolMaxSize, appends, groupLease, retention, codec);
    return withMetrics(new PostgresEventBus(settings));
  }
}
