package io.fluxbus.kafka;

import io.fluxbus.internal.Failures;
import io.fluxbus.spi.LogConsumer;
import java.util.Collection;
import io.fluxbus.internal.log.LeaseClock;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import reactor.core.publisher.Mono;

/**
 * This bus's member of a durable consumer group (a group name on a pattern): a Kafka consumer group named
 * {@code <namespace>|<group>|<pattern>} on the log topic, so Kafka shares the partitions out among the members on
 * every bus, each partition to one member at a time. Within a partition, up to the consumer's concurrency events
 * run at once in per-key lanes; the offset committed is the end of the longest prefix whose events are all settled
 * (handled, or dead-lettered after the last attempt), so a failed or unfinished event is never committed past.
 *
 * <p>A new group starts at its {@code startFrom}: {@link GroupOffsets} commits that position for every partition
 * before the member joins, so events appended after the subscription completes are never skipped. Rebalances: for
 * partitions revoked, the records not yet started are left and those in hand are waited for (up to the drain timeout),
 * then the settled prefix is committed synchronously before the partitions move on; lost partitions (the member
 * was dropped from the group) commit nothing. Either way the new owner starts at the last commit, so nothing is lost
 * and a key's events are never handled by two members out of order (at-least-once: what was in hand may run
 * again).
 */
final class KafkaGroupMember extends KafkaReader implements ConsumerRebalanceListener {

  private final String group;
  private final String groupId;
  private final ConsumerLag lag;
  /** What this member can prove it holds by its own clock: granted by each poll, for the assignment lease. */
  private final LeaseClock clock;
  private volatile LeaseClock.Batch fence;
  /** When the previous poll returned (reader thread only), and until when no poll may grant (after a gap). */
  private long lastPollReturned;
  private long noGrantUntil;

  private KafkaGroupMember(KafkaSession session, LogConsumer consumer, String groupId) {
    super(session, consumer, "group '" + consumer.group().orElseThrow() + "' on '" + consumer.pattern().value() + "'",
        groupId);
    this.group = consumer.group().orElseThrow();
    this.groupId = groupId;
    this.lag = new ConsumerLag(session.meterRegistry(), session.settings().engine(), group, consumer.pattern().value());
    this.clock = LeaseClock.forLease(session.settings().assignmentLease());
    this.fence = newFence();
    ended().subscribe(null, null, lag::close);
  }

  /** Creates the group at its start position if new, then joins it on a thread of its own. */
  static Mono<KafkaGroupMember> start(KafkaSession session, LogConsumer consumer) {
    String groupId = session.settings().groupId(consumer.group().orElseThrow(), consumer.pattern().value());
    return session.offsets().createAt(groupId, consumer.options().startFrom())
        .then(Mono.defer(() -> {
          KafkaGroupMember member = new KafkaGroupMember(session, consumer, groupId);
          return member.start("fluxbus-" + session.settings().engine() + "-kafka-group-" + consumer.group().get())
              .thenReturn(member);
        }));
  }

  /** Whether this member serves {@code groupId}. */
  boolean serves(String groupId) {
    return this.groupId.equals(groupId);
  }

  @Override
  void setUp() {
    kafka.subscribe(List.of(session.settings().logTopic()), this);
  }

  @Override
  void afterPoll() {
    measureLag();
    Map<TopicPartition, OffsetAndMetadata> moved = settledOffsets(held.keySet());
    if (!moved.isEmpty()) {
      kafka.commitAsync(moved, (offsets, error) -> {
        if (error != null) {
          session.events().disconnected(component, "committing offsets failed: " + Failures.describe(error)
              + "; committing again after the next poll");
          offsets.forEach((partition, offset) -> {
            Held state = held.get(partition);
            if (state != null && state.committed == offset.offset()) {
              state.committed = -1;
            }
          });
        } else {
          session.events().connected(component);
        }
      });
    }
  }

  /**
   * A poll that returned proves the assignment only while the heartbeats that keep it flowed, which a poll does not
   * show. After a gap longer than the grant lasts (the process was paused), a first poll can still return fetched
   * records before the heartbeat thread learned of an eviction: so no poll grants for half a session after such a
   * gap, long enough for a heartbeat's answer (heartbeats go every quarter of it) to reach the next poll.
   */
  @Override
  void polled(long startedAt) {
    long now = System.nanoTime();
    long gapLimit = session.settings().assignmentLease().toNanos() * 4 / 5;
    if (lastPollReturned != 0 && startedAt - lastPollReturned > gapLimit) {
      noGrantUntil = now + session.settings().sessionTimeout().toNanos() / 2;
    }
    lastPollReturned = now;
    if (noGrantUntil != 0 && now - noGrantUntil < 0) {
      return;
    }
    Set<Integer> partitions = new HashSet<>();
    kafka.assignment().forEach(partition -> partitions.add(partition.partition()));
    clock.granted(partitions, startedAt);
  }

  /**
   * Reads a held-back partition again from its settled prefix, on the reader's thread: the records refused are not
   * lost in the fetch position, and once the member proves the assignment again they flow, in order.
   */
  private void readAgain(TopicPartition partition) {
    Held state = held.get(partition);
    if (state == null || !kafka.assignment().contains(partition)) {
      return;
    }
    letGo(List.of(partition));
    kafka.seek(partition, state.prefix.committable());
    held.remove(partition);
    if (state.paused) {
      kafka.resume(List.of(partition));
    }
    fence = newFence();
  }

  @Override
  boolean mayHandOut(LogItem item) {
    return fence.allows(item.partition().partition());
  }

  /** A new epoch of the hand-out check: partitions held back before a rebalance may flow once assigned again. */
  private LeaseClock.Batch newFence() {
    return clock.batch(partition -> {
      session.events().disconnected(component + " partition " + partition,
          "its assignment could not be proven by this member's clock (the process may have been paused past its "
              + "session); its records are left to the member that holds it now, from the last commit");
      command(kafka -> readAgain(new TopicPartition(session.settings().logTopic(), partition)));
    });
  }

  @Override
  void beforeClose() {
    commitSync(held.keySet());
  }

  /** Each held partition's end (as the last fetch saw it) minus the offset this member would commit now. */
  private void measureLag() {
    held.forEach((partition, state) -> {
      java.util.OptionalLong behind = kafka.currentLag(partition);
      if (behind.isPresent()) {
        long end = kafka.position(partition) + behind.getAsLong();
        lag.update(partition.partition(), Math.max(0, end - state.prefix.committable()));
      }
    });
  }

  @Override
  java.util.Map<String, String> failedBy() {
    return group(group);
  }

  @Override
  public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
    if (partitions.isEmpty() || halted) {
      return;
    }
    letGo(partitions);
    commitSync(partitions);
    partitions.forEach(held::remove);
    fence = newFence();
    reportRevoked(partitions, disposed ? "the member leaves the group" : "rebalance; what settled was committed");
  }

  @Override
  public void onPartitionsLost(Collection<TopicPartition> partitions) {
    lanes.abandon(tracked -> partitions.contains(tracked.item().partition()));
    partitions.forEach(held::remove);
    fence = newFence();
    reportRevoked(partitions, "lost (this member was dropped from the group); nothing was committed");
  }

  /** Each partition's state begins with its first record, at the committed offset. */
  @Override
  public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
    session.events().partitionsAssigned(consumer.pattern().value(), consumer.id(), group, numbers(partitions));
  }

  private void reportRevoked(Collection<TopicPartition> partitions, String why) {
    session.events().partitionsRevoked(consumer.pattern().value(), consumer.id(), group, numbers(partitions), why);
  }

  private static List<Integer> numbers(Collection<TopicPartition> partitions) {
    return partitions.stream().map(TopicPartition::partition).toList();
  }

  private void commitSync(Collection<TopicPartition> partitions) {
    Map<TopicPartition, OffsetAndMetadata> moved = settledOffsets(partitions);
    if (moved.isEmpty()) {
      return;
    }
    try {
      kafka.commitSync(moved, session.settings().connectTimeout());
    } catch (RuntimeException failed) {
      session.events().disconnected(component, "committing offsets failed: " + Failures.describe(failed)
          + "; the next owner reads the events since the last commit again");
    }
  }

  /** Offsets of {@code partitions} whose settled prefix moved since the last commit; marks them committed. */
  private Map<TopicPartition, OffsetAndMetadata> settledOffsets(Collection<TopicPartition> partitions) {
    Map<TopicPartition, OffsetAndMetadata> moved = new HashMap<>();
    Set<TopicPartition> assigned = kafka.assignment();
    for (TopicPartition partition : partitions) {
      Held state = held.get(partition);
      if (state == null || !assigned.contains(partition)) {
        continue;
      }
      long next = state.prefix.committable();
      if (next > state.committed) {
        state.committed = next;
        moved.put(partition, new OffsetAndMetadata(next));
      }
    }
    return moved;
  }

  /**
   * Moves the partitions this member holds to {@code targets} (on the reader's thread): leaves their queued records,
   * waits for those in hand, seeks, commits the new offsets and forgets the old state.
   *
   * @return completes once committed; the error of the commit otherwise
   */
  Mono<Set<TopicPartition>> moveTo(GroupOffsets.Targets targets) {
    return Mono.create(sink -> command(kafka -> {
      try {
        Set<TopicPartition> assigned = kafka.assignment();
        letGo(assigned);
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition partition : assigned) {
          long offset = targets.offsetOf(kafka, partition);
          kafka.seek(partition, offset);
          offsets.put(partition, new OffsetAndMetadata(offset));
          held.remove(partition);
        }
        kafka.commitSync(offsets, session.settings().connectTimeout());
        offsets.keySet().forEach(partition -> {
          Held fresh = new Held(offsets.get(partition).offset());
          fresh.committed = offsets.get(partition).offset();
          held.put(partition, fresh);
        });
        sink.success(assigned);
      } catch (RuntimeException failed) {
        sink.error(failed);
      }
    }));
  }

  /** The group's name on the bus, and Kafka's. */
  @Override
  public String toString() {
    return "KafkaGroupMember{" + component + ", kafka group '" + groupId + "', holds " + held.keySet() + "}";
  }
}
