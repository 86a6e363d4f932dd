package io.fluxbus.kafka;

import io.fluxbus.StartPosition;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.apache.kafka.common.errors.UnknownMemberIdException;
import reactor.core.publisher.Mono;

/**
 * Consumer groups' committed offsets on the log topic, through the admin client: where a new group starts, and where
 * a reset moves a group nobody on this bus is a member of. Thread-safe; nothing blocks (admin futures).
 */
final class GroupOffsets {

  /** Where a {@link StartPosition} is in each partition, as a consumer finds it. */
  record Targets(StartPosition position) {

    /** The offset of {@code partition} for the position, asked of the broker through {@code kafka}. */
    long offsetOf(KafkaConsumer<byte[], byte[]> kafka, TopicPartition partition) {
      Set<TopicPartition> one = Set.of(partition);
      if (position instanceof StartPosition.Earliest) {
        return kafka.beginningOffsets(one).get(partition);
      }
      if (position instanceof StartPosition.At at) {
        OffsetAndTimestamp found = kafka.offsetsForTimes(Map.of(partition, at.time().toEpochMilli())).get(partition);
        if (found != null) {
          return found.offset();
        }
      }
      return kafka.endOffsets(one).get(partition);
    }
  }

  private final Admin admin;
  private final String topic;
  private final int partitions;

  GroupOffsets(Admin admin, String topic, int partitions) {
    this.admin = admin;
    this.topic = topic;
    this.partitions = partitions;
  }

  /**
   * Commits {@code position} for every partition of a group that has no committed offsets yet; a group that has
   * some keeps them. Two buses creating one group at once both succeed: the one that finds the group joined already
   * leaves it as it is.
   */
  Mono<Void> createAt(String groupId, StartPosition position) {
    return mono(admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata())
        .flatMap(committed -> committed.values().stream().anyMatch(offset -> offset != null)
            ? Mono.<Void>empty()
            : offsets(position).flatMap(targets -> mono(admin.alterConsumerGroupOffsets(groupId, targets).all()))
                .onErrorResume(error -> isJoined(error) ? Mono.empty() : Mono.error(error)));
  }

  /**
   * Commits {@code position} for every partition of a group with no live member (the broker refuses otherwise).
   *
   * @return the error {@link GroupNotEmptyException} when members elsewhere hold partitions
   */
  Mono<Void> reset(String groupId, StartPosition position) {
    return offsets(position).flatMap(targets -> mono(admin.alterConsumerGroupOffsets(groupId, targets).all()));
  }

  /** The offsets of {@code position} in every partition. */
  Mono<Map<TopicPartition, OffsetAndMetadata>> offsets(StartPosition position) {
    List<TopicPartition> all = IntStream.range(0, partitions).mapToObj(p -> new TopicPartition(topic, p)).toList();
    if (position instanceof StartPosition.At at) {
      return listed(all, OffsetSpec.forTimestamp(at.time().toEpochMilli()))
          .zipWith(listed(all, OffsetSpec.latest()), (atTime, latest) -> {
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            // no record at or after the time: the partition's end
            all.forEach(p -> offsets.put(p, new OffsetAndMetadata(atTime.get(p) >= 0 ? atTime.get(p) : latest.get(p))));
            return offsets;
          });
    }
    OffsetSpec spec = position instanceof StartPosition.Earliest ? OffsetSpec.earliest() : OffsetSpec.latest();
    return listed(all, spec).map(offsets -> offsets.entrySet().stream()
        .collect(Collectors.toMap(Map.Entry::getKey, e -> new OffsetAndMetadata(e.getValue()))));
  }

  private Mono<Map<TopicPartition, Long>> listed(List<TopicPartition> all, OffsetSpec spec) {
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    all.forEach(p -> request.put(p, spec));
    return mono(admin.listOffsets(request).all()).map(result -> result.entrySet().stream()
        .collect(Collectors.toMap(Map.Entry::getKey, e -> offsetOf(e.getValue()))));
  }

  private static long offsetOf(ListOffsetsResult.ListOffsetsResultInfo info) {
    return info.offset();
  }

  private static boolean isJoined(Throwable error) {
    Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
        ? error.getCause() : error;
    return cause instanceof GroupNotEmptyException || cause instanceof UnknownMemberIdException;
  }

  static <T> Mono<T> mono(KafkaFuture<T> future) {
    return Mono.fromCompletionStage(future.toCompletionStage())
        .onErrorMap(java.util.concurrent.CompletionException.class,
            error -> error.getCause() != null ? error.getCause() : error);
  }

}
