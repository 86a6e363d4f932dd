package io.fluxbus.kafka;

import io.fluxbus.codec.EventCodec;
import io.fluxbus.spi.EngineBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * Configures a {@link KafkaEventBus}. Not thread-safe; each {@link #build()} makes a new bus. Passwords are kept
 * only to connect: never printed.
 */
public final class KafkaEventBusBuilder extends EngineBuilder<KafkaEventBusBuilder> {

  private String bootstrapServers;
  private String clientId = "fluxbus";
  private String namespace = "fluxbus";
  private int partitions = 6;
  private int replicationFactor = 1;
  private boolean createTopics = true;
  private String acks = "all";
  private Duration linger = Duration.ofMillis(5);
  private int batchSize = 64 * 1024;
  private String compression = "none";
  private boolean tls;
  private String saslMechanism;
  private String username;
  private String password;
  private Path trustStore;
  private String trustStorePassword;
  private String trustStoreType;
  private Duration pollTimeout = Duration.ofMillis(100);
  private int maxPollRecords = 500;
  private Duration sessionTimeout = Duration.ofSeconds(10);
  private Duration maxPollInterval = Duration.ofMinutes(5);
  private Duration connectTimeout = Duration.ofSeconds(10);
  private Duration retention;
  private EventCodec codec = EventCodec.json();

  KafkaEventBusBuilder() {
    super(KafkaEventBus.TYPE);
  }

  @Override
  protected KafkaEventBusBuilder self() {
    return this;
  }

  /** The brokers to bootstrap from, {@code host:port[,host:port…]} (required). */
  public KafkaEventBusBuilder bootstrapServers(String bootstrapServers) {
    this.bootstrapServers = Objects.requireNonNull(bootstrapServers, "bootstrapServers must not be null");
    return this;
  }

  /** The prefix of the clients' {@code client.id} ({@code fluxbus}). */
  public KafkaEventBusBuilder clientId(String clientId) {
    this.clientId = Objects.requireNonNull(clientId, "clientId must not be null");
    return this;
  }

  /**
   * The namespace ({@code fluxbus}): the log topic is {@code <namespace>.log} and group {@code g} on pattern
   * {@code p} is the Kafka group {@code <namespace>|g|p}. Letters, digits, '.', '_' and '-'.
   */
  public KafkaEventBusBuilder namespace(String namespace) {
    this.namespace = Objects.requireNonNull(namespace, "namespace must not be null");
    return this;
  }

  /**
   * Partitions of the log topic when the engine creates it (6): a key's events share a partition and keep their
   * order; a group's members share the partitions out. An existing topic keeps its own count.
   */
  public KafkaEventBusBuilder partitions(int partitions) {
    this.partitions = partitions;
    return this;
  }

  /** The log topic's replication factor when the engine creates it (1). */
  public KafkaEventBusBuilder replicationFactor(int replicationFactor) {
    this.replicationFactor = replicationFactor;
    return this;
  }

  /** Whether the engine creates the log topic when it is missing (true). */
  public KafkaEventBusBuilder createTopics(boolean createTopics) {
    this.createTopics = createTopics;
    return this;
  }

  /** {@code all} (default; the producer is then idempotent), {@code 1} or {@code 0}. */
  public KafkaEventBusBuilder acks(String acks) {
    this.acks = Objects.requireNonNull(acks, "acks must not be null").toLowerCase(Locale.ROOT);
    return this;
  }

  /** The producer's {@code linger.ms} (5 ms). */
  public KafkaEventBusBuilder linger(Duration linger) {
    this.linger = Objects.requireNonNull(linger, "linger must not be null");
    return this;
  }

  /** The producer's {@code batch.size} in bytes (64 KiB). */
  public KafkaEventBusBuilder batchSize(int batchSize) {
    this.batchSize = batchSize;
    return this;
  }

  /** {@code none} (default), {@code gzip}, {@code snappy}, {@code lz4} or {@code zstd}. */
  public KafkaEventBusBuilder compression(String compression) {
    this.compression = Objects.requireNonNull(compression, "compression must not be null").toLowerCase(Locale.ROOT);
    return this;
  }

  /** Whether connections use TLS (false). */
  public KafkaEventBusBuilder tls(boolean tls) {
    this.tls = tls;
    return this;
  }

  /** SASL authentication: {@code PLAIN}, {@code SCRAM-SHA-256} or {@code SCRAM-SHA-512}; the password is never printed. */
  public KafkaEventBusBuilder sasl(String mechanism, String username, String password) {
    this.saslMechanism = Objects.requireNonNull(mechanism, "mechanism must not be null");
    this.username = Objects.requireNonNull(username, "username must not be null");
    this.password = Objects.requireNonNull(password, "password must not be null");
    return this;
  }

  /**
   * A trust store for the brokers' certificates (implies TLS).
   *
   * @param password its password, or null
   * @param type {@code JKS}, {@code PKCS12} or {@code PEM}, or null for the client's default
   */
  public KafkaEventBusBuilder trustStore(Path file, String password, String type) {
    this.trustStore = Objects.requireNonNull(file, "file must not be null");
    this.trustStorePassword = password;
    this.trustStoreType = type;
    this.tls = true;
    return this;
  }

  /** The longest one poll of a reader waits (100 ms): how late a commit or a resumed partition may be. */
  public KafkaEventBusBuilder pollTimeout(Duration pollTimeout) {
    this.pollTimeout = Objects.requireNonNull(pollTimeout, "pollTimeout must not be null");
    return this;
  }

  /** Records one poll returns at most (500). */
  public KafkaEventBusBuilder maxPollRecords(int maxPollRecords) {
    this.maxPollRecords = maxPollRecords;
    return this;
  }

  /**
   * A group member's session (10 s; within the broker's {@code group.min/max.session.timeout.ms}): after a member
   * dies, its partitions move to the others within this time.
   */
  public KafkaEventBusBuilder sessionTimeout(Duration sessionTimeout) {
    this.sessionTimeout = Objects.requireNonNull(sessionTimeout, "sessionTimeout must not be null");
    return this;
  }

  /**
   * How long a member's poll loop may stall before its own client leaves the group (5 min, Kafka's default). The loop
   * never waits for handlers, so only a stuck process reaches it; a member counts on its partitions for the shorter
   * of this and {@link #sessionTimeout} after each poll, and hands out nothing of them past that.
   */
  public KafkaEventBusBuilder maxPollInterval(Duration maxPollInterval) {
    this.maxPollInterval = Objects.requireNonNull(maxPollInterval, "maxPollInterval must not be null");
    return this;
  }

  /** How long {@code start()} and admin calls wait for the cluster, and a send for metadata (10 s). */
  public KafkaEventBusBuilder connectTimeout(Duration connectTimeout) {
    this.connectTimeout = Objects.requireNonNull(connectTimeout, "connectTimeout must not be null");
    return this;
  }

  /** The log topic's {@code retention.ms} when the engine creates it (the broker's default otherwise). */
  public KafkaEventBusBuilder retention(Duration retention) {
    this.retention = Objects.requireNonNull(retention, "retention must not be null");
    return this;
  }

  /** The codec whose mapper writes payloads ({@link EventCodec#json()}). */
  public KafkaEventBusBuilder codec(EventCodec codec) {
    this.codec = Objects.requireNonNull(codec, "codec must not be null");
    return this;
  }

  /**
   * Creates the bus, not yet started (nothing connects here).
   *
   * @throws io.fluxbus.ConfigException naming the value, if {@code bootstrapServers} is missing or not
   *     {@code host:port[,…]}, or the namespace cannot name a Kafka topic
   * @throws IllegalArgumentException naming the setting, if a number or duration is out of range, or acks,
   *     compression or the SASL mechanism is not one of the allowed words
   */
  public KafkaEventBus build() {
    if (replicationFactor > Short.MAX_VALUE) {
      throw new IllegalArgumentException("replicationFactor must be at most " + Short.MAX_VALUE + ", got "
          + replicationFactor);
    }
    KafkaSecurity security = new KafkaSecurity(tls, saslMechanism, username, password, trustStore,
        trustStorePassword, trustStoreType);
    KafkaSettings settings = new KafkaSettings(localSettings(), KafkaSettings.requireServers(bootstrapServers),
        clientId, namespace, partitions, (short) replicationFactor, createTopics, acks, linger, batchSize,
        compression, security, pollTimeout, maxPollRecords, sessionTimeout, maxPollInterval, connectTimeout, retention,
        codec);
    return withMetrics(new KafkaEventBus(settings));
  }
}
