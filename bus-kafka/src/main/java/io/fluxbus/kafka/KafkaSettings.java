package io.fluxbus.kafka;

import io.fluxbus.ConfigException;
import io.fluxbus.codec.EventCodec;
import io.fluxbus.internal.delivery.LocalSettings;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What a {@link KafkaEventBus} runs with, validated. Holds the passwords inside {@code security}, which never prints
 * them.
 *
 * @param local the in-process core's settings (engine name, buffers, workers, delivery mode, drain, source)
 * @param bootstrapServers {@code host:port[,host:port…]}
 * @param clientId the prefix of every client's {@code client.id}
 * @param namespace the prefix of the Kafka topic and consumer groups this bus uses
 * @param partitions partitions of the log topic when the engine creates it
 * @param replicationFactor its replication factor
 * @param createTopics whether the engine creates the log topic when it is missing
 * @param acks {@code all}, {@code 1} or {@code 0}; the producer is idempotent with {@code all}
 * @param linger the producer's {@code linger.ms}
 * @param batchSize the producer's {@code batch.size}
 * @param compression {@code none}, {@code gzip}, {@code snappy}, {@code lz4} or {@code zstd}
 * @param security TLS and SASL
 * @param pollTimeout the longest one {@code poll} of a reader waits
 * @param maxPollRecords records one {@code poll} returns at most
 * @param sessionTimeout a group member's session: after a member dies, its partitions move within it
 * @param maxPollInterval how long a member's poll loop may stall before its client leaves the group
 * @param connectTimeout how long {@code start()} waits for the cluster
 * @param retention the log topic's {@code retention.ms} when the engine creates it, or null for the broker's
 * @param codec how payloads are written (the record's value is the payload as JSON)
 */
record KafkaSettings(LocalSettings local, String bootstrapServers, String clientId, String namespace, int partitions,
                     short replicationFactor, boolean createTopics, String acks, Duration linger, int batchSize,
                     String compression, KafkaSecurity security, Duration pollTimeout, int maxPollRecords,
                     Duration sessionTimeout, Duration maxPollInterval, Duration connectTimeout, Duration retention,
                     EventCodec codec) {

  /** Acks the producer accepts. */
  static final List<String> ACKS = List.of("all", "1", "0");
  /** Compression types of the producer. */
  static final List<String> COMPRESSIONS = List.of("none", "gzip", "snappy", "lz4", "zstd");

  private static final Pattern SERVERS = Pattern.compile("[^\\s,:]+:\\d{1,5}(,[^\\s,:]+:\\d{1,5})*");
  private static final Pattern KAFKA_NAME = Pattern.compile("[a-zA-Z0-9._-]+");
  /** Kafka refuses longer topic names; {@code .log} and the partition suffix of its files take the rest. */
  private static final int MAX_NAMESPACE = 200;

  KafkaSettings {
    Objects.requireNonNull(local, "local");
    Objects.requireNonNull(security, "security");
    Objects.requireNonNull(codec, "codec");
    requireServers(bootstrapServers);
    requireNamespace(namespace);
    Objects.requireNonNull(clientId, "clientId must not be null");
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be 1 or more, got " + partitions);
    }
    if (replicationFactor < 1) {
      throw new IllegalArgumentException("replicationFactor must be 1 or more, got " + replicationFactor);
    }
    if (!ACKS.contains(acks)) {
      throw new IllegalArgumentException("acks must be one of " + ACKS + ", got '" + acks + "'");
    }
    if (!COMPRESSIONS.contains(compression)) {
      throw new IllegalArgumentException("compression must be one of " + COMPRESSIONS + ", got '" + compression + "'");
    }
    requireNotNegative("linger", linger);
    if (batchSize < 0) {
      throw new IllegalArgumentException("batchSize must be 0 or more, got " + batchSize);
    }
    requirePositive("pollTimeout", pollTimeout);
    requirePositive("sessionTimeout", sessionTimeout);
    requirePositive("maxPollInterval", maxPollInterval);
    requirePositive("connectTimeout", connectTimeout);
    if (maxPollRecords < 1) {
      throw new IllegalArgumentException("maxPollRecords must be 1 or more, got " + maxPollRecords);
    }
    if (retention != null) {
      requirePositive("retention", retention);
    }
  }

  /**
   * Checks {@code host:port[,host:port…]}.
   *
   * @throws ConfigException naming the value
   */
  static String requireServers(String servers) {
    if (servers == null || !SERVERS.matcher(servers.trim()).matches()) {
      throw new ConfigException("bootstrapServers must be host:port[,host:port...], got '" + servers + "'");
    }
    return servers.trim();
  }

  /**
   * Checks that {@code namespace} makes valid Kafka topic names: letters, digits, '.', '_' and '-', at most 200.
   *
   * @throws ConfigException naming the value
   */
  static String requireNamespace(String namespace) {
    if (namespace == null || !KAFKA_NAME.matcher(namespace).matches() || namespace.length() > MAX_NAMESPACE
        || namespace.equals(".") || namespace.equals("..")) {
      throw new ConfigException("namespace '" + namespace + "' cannot name a Kafka topic: use letters, digits, "
          + "'.', '_' and '-', at most " + MAX_NAMESPACE + " characters");
    }
    return namespace;
  }

  /** The engine's name, as in lifecycle events and metric tags. */
  String engine() {
    return local.engine();
  }

  /** The Kafka topic holding every event of the namespace. */
  String logTopic() {
    return namespace + ".log";
  }

  /** The Kafka consumer group of the Fluxbus group {@code group} on {@code pattern}. */
  String groupId(String group, String pattern) {
    return namespace + "|" + group + "|" + pattern;
  }

  private static void requirePositive(String name, Duration value) {
    Objects.requireNonNull(value, name + " must not be null");
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, got " + value);
    }
  }

  private static void requireNotNegative(String name, Duration value) {
    Objects.requireNonNull(value, name + " must not be null");
    if (value.isNegative()) {
      throw new IllegalArgumentException(name + " must not be negative, got " + value);
    }
  }

  /**
   * How long a group member can count on its partitions after a poll began: its session, or the poll interval
   * after which its own client leaves the group, whichever is shorter.
   */
  Duration assignmentLease() {
    return sessionTimeout.compareTo(maxPollInterval) <= 0 ? sessionTimeout : maxPollInterval;
  }
}
