package io.fluxbus.redis;

import java.time.Duration;
import java.util.Objects;

/**
 * What streams mode runs with.
 *
 * @param partitions streams per namespace; events with one key (keyless: one topic) share a partition and keep
 *     their order, and a group's members share the partitions out
 * @param retention entries older than this are trimmed (approximately, whole stream nodes), or null to keep them
 * @param maxLen each partition is trimmed to about this many entries, or 0 for no limit
 * @param blockTimeout how long one blocking read waits for new entries; bounds how soon a reader notices a stop or
 *     a rebalance
 * @param claimIdle a group member's lease on its partitions: after a member dies, its partitions, with the events
 *     it had in hand, pass to another member within this time
 * @param readCount entries read per round trip
 */
record StreamsSettings(int partitions, Duration retention, long maxLen, Duration blockTimeout, Duration claimIdle,
                       int readCount) {

  StreamsSettings {
    if (partitions < 1 || partitions > 1024) {
      throw new IllegalArgumentException("partitions must be between 1 and 1024, got " + partitions);
    }
    if (retention != null && (retention.isNegative() || retention.isZero())) {
      throw new IllegalArgumentException("retention must be positive, got " + retention);
    }
    if (maxLen < 0) {
      throw new IllegalArgumentException("maxLen must not be negative, got " + maxLen);
    }
    requirePositive("blockTimeout", blockTimeout);
    requirePositive("claimIdle", claimIdle);
    if (claimIdle.toMillis() < 100) {
      throw new IllegalArgumentException("claimIdle must be at least 100ms, got " + claimIdle);
    }
    if (readCount < 1) {
      throw new IllegalArgumentException("readCount must be 1 or more, got " + readCount);
    }
  }

  private static void requirePositive(String name, Duration value) {
    Objects.requireNonNull(value, name + " must not be null");
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, got " + value);
    }
  }

  /** One partition, no trimming, 1 s blocking reads, 30 s leases, 100 entries per read. */
  static StreamsSettings defaults() {
    return new StreamsSettings(1, null, 0, Duration.ofSeconds(1), Duration.ofSeconds(30), 100);
  }

  /** The {@code MAXLEN} argument for appends, or '' for none. */
  String maxLenArgument() {
    return maxLen > 0 ? Long.toString(maxLen) : "";
  }
}
