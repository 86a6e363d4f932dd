package io.fluxbus.r2dbc;

import io.fluxbus.codec.EventCodec;
import io.fluxbus.internal.delivery.LocalSettings;
import java.time.Duration;
import java.util.Objects;

/**
 * What a {@link PostgresEventBus} runs with, validated. Holds the password inside {@code address}, which never
 * prints it.
 *
 * @param local the in-process core's settings (engine name, buffers, workers, delivery mode, drain, source)
 * @param address the server and credentials
 * @param schema the schema holding the log
 * @param partitions partitions of the log; fixed when the schema is created
 * @param pollInterval how often readers poll when no wake-up arrives
 * @param notifyInterval the least time between two NOTIFYs of this bus
 * @param batchSize rows read per query (per partition for groups)
 * @param poolInitialSize connections the pool opens first
 * @param poolMaxSize the most pooled connections
 * @param appendConnections how many appends may run at once (each a multi-row insert of what queued meanwhile)
 * @param groupLease a group member's lease on its partitions
 * @param retention how long events are kept, or null to keep them; longer than {@code pollInterval}
 * @param codec how events are stored
 */
record PostgresSettings(LocalSettings local, PostgresAddress address, LogSchema schema, int partitions,
                        Duration pollInterval, Duration notifyInterval, int batchSize, int poolInitialSize, int poolMaxSize,
                        int appendConnections, Duration groupLease, Duration retention, EventCodec codec) {

  /** The most partitions a schema may have. */
  static final int MAX_PARTITIONS = 1024;

  PostgresSettings {
    Objects.requireNonNull(local, "local");
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(schema, "schema");
    Objects.requireNonNull(codec, "codec");
    if (partitions < 1 || partitions > MAX_PARTITIONS) {
      throw new IllegalArgumentException("partitions must be between 1 and " + MAX_PARTITIONS + ", got "
          + partitions);
    }
    requirePositive("batchSize", batchSize);
    requirePositive("poolInitialSize", poolInitialSize);
    requirePositive("poolMaxSize", poolMaxSize);
    if (poolInitialSize > poolMaxSize) {
      throw new IllegalArgumentException("poolInitialSize (" + poolInitialSize + ") must not exceed poolMaxSize ("
          + poolMaxSize + ")");
    }
    requirePositive("appendConnections", appendConnections);
    if (appendConnections > poolMaxSize) {
      throw new IllegalArgumentException("appendConnections (" + appendConnections + ") must not exceed poolMaxSize ("
          + poolMaxSize + ")");
    }
    requirePositive("pollInterval", pollInterval);
    requirePositive("notifyInterval", notifyInterval);
    if (notifyInterval.compareTo(pollInterval) >= 0) {
      throw new IllegalArgumentException("notifyInterval (" + notifyInterval + ") must be shorter than pollInterval ("
          + pollInterval + "): wake-ups would come no sooner than polls");
    }
    requirePositive("groupLease", groupLease);
    if (groupLease.toMillis() < 100) {
      throw new IllegalArgumentException("groupLease must be at least 100ms, got " + groupLease);
    }
    if (retention != null) {
      requirePositive("retention", retention);
      if (retention.compareTo(pollInterval) <= 0) {
        throw new IllegalArgumentException("retention (" + retention + ") must be longer than pollInterval ("
            + pollInterval + "): events would be deleted before other buses read them");
      }
    }
  }

  /** The engine's name, as in lifecycle events and metric tags. */
  String engine() {
    return local.engine();
  }

  /** How often a member with partitions rebalances: a fifth of the lease, between 20 ms and 1 s. */
  Duration rebalanceInterval() {
    Duration fifth = groupLease.dividedBy(5);
    if (fifth.compareTo(Duration.ofMillis(20)) < 0) {
      return Duration.ofMillis(20);
    }
    return fifth.compareTo(Duration.ofSeconds(1)) > 0 ? Duration.ofSeconds(1) : fifth;
  }

  private static void requirePositive(String name, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(name + " must be 1 or more, got " + value);
    }
  }

  private static void requirePositive(String name, Duration value) {
    Objects.requireNonNull(value, name + " must not be null");
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, got " + value);
    }
  }
}
