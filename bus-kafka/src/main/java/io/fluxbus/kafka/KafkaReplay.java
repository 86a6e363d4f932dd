package io.fluxbus.kafka;

import io.fluxbus.DeadLetterHeaders;
import io.fluxbus.spi.LogConsumer;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.kafka.common.TopicPartition;
import reactor.core.publisher.Mono;

/**
 * An ungrouped subscription that starts at the earliest event or at a time: a consumer of no group, assigned every
 * partition of the log topic, positioned at the start ({@code earliest}, or {@code offsetsForTimes} for a time, the
 * partition's end where nothing is that late), then following the log. Its position lives in memory only: it begins
 * again from its start when subscribed again. A failure's dead letter is appended to the log.
 */
final class KafkaReplay extends KafkaReader {

  private KafkaReplay(KafkaSession session, LogConsumer consumer) {
    super(session, consumer, "replay of '" + consumer.pattern().value() + "' for " + consumer.id(), null);
  }

  /** Positions the reader at the start and starts following the log. */
  static Mono<KafkaReplay> start(KafkaSession session, LogConsumer consumer) {
    return Mono.defer(() -> {
      KafkaReplay replay = new KafkaReplay(session, consumer);
      return replay.start("fluxbus-" + session.settings().engine() + "-kafka-replay").thenReturn(replay);
    });
  }

  @Override
  void setUp() {
    List<TopicPartition> all = IntStream.range(0, session.partitions())
        .mapToObj(p -> new TopicPartition(session.settings().logTopic(), p)).toList();
    kafka.assign(all);
    GroupOffsets.Targets targets = new GroupOffsets.Targets(consumer.options().startFrom());
    for (TopicPartition partition : all) {
      kafka.seek(partition, targets.offsetOf(kafka, partition));
    }
  }

  @Override
  void afterPoll() {
    // no group: nothing to commit
  }

  @Override
  void beforeClose() {
    // no group: nothing to commit
  }

  @Override
  Map<String, String> failedBy() {
    return Map.of(DeadLetterHeaders.SUBSCRIPTION, consumer.id());
  }
}
