package io.fluxbus.redis;

import io.fluxbus.Event;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The Redis keys of one namespace in streams mode. Every key carries the hash tag {@code {<namespace>}}, so all of
 * them live in one Redis Cluster slot: a read can span every partition, and a script can move an entry between
 * streams atomically (dead letters, delayed events). Immutable.
 *
 * <ul>
 *   <li>{@code {ns}:log:<p>}: partition {@code p} of the log, a stream; an event with a key goes to
 *       {@code murmur3(key) mod partitions}, one without to {@code murmur3(topic) mod partitions}, so events with the
 *       same key (or keyless events on one topic) keep their order;</li>
 *   <li>{@code {ns}:delayed} and {@code {ns}:delayed:events}: delayed events, a sorted set by due time and a hash of
 *       their entries;</li>
 *   <li>{@code {ns}:members:<group>}: a durable group's live members, a sorted set by heartbeat expiry;</li>
 *   <li>{@code {ns}:lease:<group>:<p>}: which member reads partition {@code p} for a group, with a TTL.</li>
 * </ul>
 */
final class StreamKeys {

  private final String prefix;
  private final int partitions;
  private final List<String> logs;

  StreamKeys(String namespace, int partitions) {
    if (partitions < 1 || partitions > 1024) {
      throw new IllegalArgumentException("partitions must be between 1 and 1024, got " + partitions);
    }
    this.prefix = "{" + PubSubChannels.requireValidNamespace(namespace) + "}:";
    this.partitions = partitions;
    List<String> all = new ArrayList<>(partitions);
    for (int p = 0; p < partitions; p++) {
      all.add(prefix + "log:" + p);
    }
    this.logs = List.copyOf(all);
  }

  int partitions() {
    return partitions;
  }

  /** Every partition's stream, in partition order. */
  List<String> logs() {
    return logs;
  }

  String log(int partition) {
    return logs.get(partition);
  }

  /** The partition of an event's stream. */
  String logFor(Event<?> event) {
    return log(partitionOf(event.key() != null ? event.key() : event.topic()));
  }

  /** The partition for a key (or, for keyless events, a topic): murmur3 of its UTF-8 bytes. */
  int partitionOf(String key) {
    if (partitions == 1) {
      return 0;
    }
    return Math.floorMod(Murmur3.hash32(key.getBytes(StandardCharsets.UTF_8)), partitions);
  }

  String delayed() {
    return prefix + "delayed";
  }

  String delayedEvents() {
    return prefix + "delayed:events";
  }

  String members(String group) {
    return prefix + "members:" + group;
  }

  /** The lease keys of a group, in partition order. */
  List<String> leases(String group) {
    List<String> keys = new ArrayList<>(partitions);
    for (int p = 0; p < partitions; p++) {
      keys.add(prefix + "lease:" + group + ":" + p);
    }
    return keys;
  }

  /** The glob that matches every key of the namespace (for tests and cleanup). */
  String pattern() {
    return prefix.replace("{", "\\{").replace("}", "\\}") + "*";
  }

  /** The partition a log key belongs to, or -1 when it is not one of this namespace's. */
  int partitionOfLog(String key) {
    return logs.indexOf(key);
  }
}
