package io.fluxbus.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fluxbus.DeadLetterHeaders;
import io.fluxbus.Event;
import io.fluxbus.SubscribeOptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * What a Kafka consumer group gains from this engine: several events of one partition in hand at once in per-key
 * lanes, an offset committed only past a prefix that is all settled, and unreadable records kept as dead letters.
 */
@DisplayName("Kafka consumer groups: lanes within a partition, settled-prefix commits, unreadable records")
class KafkaGroupTest {

  private static final String PREFIX = "group-" + System.nanoTime();
  private static final Duration WAIT = Duration.ofSeconds(30);
  private KafkaEventBus bus;

  private final io.micrometer.core.instrument.simple.SimpleMeterRegistry registry =
      new io.micrometer.core.instrument.simple.SimpleMeterRegistry();

  private KafkaEventBus started(String namespace) {
    bus = KafkaEventBus.builder().meterRegistry(registry).bootstrapServers(KafkaTestServer.bootstrap()).namespace(namespace).partitions(1)
        .linger(Duration.ZERO).pollTimeout(Duration.ofMillis(20)).sessionTimeout(Duration.ofSeconds(2))
        .drainTimeout(Duration.ofMillis(500)).workers(2).build();
    bus.start().block(WAIT);
    return bus;
  }

  @AfterEach
  void stop() {
    if (bus != null) {
      bus.stop().block(WAIT);
    }
  }

  @AfterAll
  static void deleteTopics() {
    KafkaTestServer.deleteTopics(PREFIX);
  }

  @Test
  @DisplayName("a slow event holds its partition's commit at its offset, while later keys of the partition flow")
  void aSlowEventHoldsTheCommitButNotOtherKeys() throws Exception {
    // catches: committing the highest settled offset (past the slow event), or running a partition one at a time
    String namespace = PREFIX + "-slow";
    started(namespace);
    Sinks.Empty<Void> slow = Sinks.empty();
    Set<String> handled = ConcurrentHashMap.newKeySet();
    bus.subscribe("order.*", SubscribeOptions.defaults().group("billing").async(true).concurrency(4),
        event -> "slow".equals(event.key()) ? slow.asMono()
            : Mono.fromRunnable(() -> handled.add(event.id()))).block(WAIT);

    bus.publish(Event.builder("order.placed", (Object) "held").key("slow").build()).block(WAIT);
    for (int i = 0; i < 20; i++) {
      bus.publish(Event.builder("order.placed", (Object) i).key("k" + i % 4).build()).block(WAIT);
    }
    await().atMost(WAIT).until(() -> handled.size() == 20);

    String groupId = namespace + "|billing|order.*";
    TopicPartition partition = new TopicPartition(namespace + ".log", 0);
    // polls run every 20 ms: a wrong commit would show within this bounded window
    await().during(Duration.ofMillis(400)).atMost(WAIT).until(() -> committed(groupId, partition) == 0L);

    assertThat(lag()).as("the slow event and everything after it are owed").isEqualTo(21.0);

    slow.tryEmitEmpty();
    await().atMost(WAIT).until(() -> committed(groupId, partition) == 21L);
    await().atMost(WAIT).until(() -> lag() == 0.0);
  }

  private double lag() {
    return registry.get(ConsumerLag.METER).tags("engine", "kafka", "group", "billing", "pattern", "order.*",
        "partition", "0").gauge().value();
  }

  @Test
  @DisplayName("a record that is not a readable event is dead-lettered with the reason and its place, then committed")
  void anUnreadableRecordIsDeadLettered() throws Exception {
    // catches: dropping an unreadable record silently, or retrying it forever (the commit would never move)
    String namespace = PREFIX + "-unreadable";
    started(namespace);
    Queue<Event<Object>> letters = new ConcurrentLinkedQueue<>();
    bus.subscribe("order.placed.dlq", event -> Mono.fromRunnable(() -> letters.add(event))).block(WAIT);
    Set<Object> handled = ConcurrentHashMap.newKeySet();
    bus.subscribe("order.*", SubscribeOptions.defaults().group("billing"),
        event -> Mono.fromRunnable(() -> handled.add(event.payload()))).block(WAIT);

    Properties config = new Properties();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestServer.bootstrap());
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config, new ByteArraySerializer(),
        new ByteArraySerializer())) {
      ProducerRecord<byte[], byte[]> garbage = new ProducerRecord<>(namespace + ".log", 0, null,
          "{not json".getBytes(StandardCharsets.UTF_8));
      garbage.headers().add("ce_specversion", "1.0".getBytes(StandardCharsets.UTF_8))
          .add("ce_id", "bad-1".getBytes(StandardCharsets.UTF_8))
          .add("ce_source", "elsewhere".getBytes(StandardCharsets.UTF_8))
          .add("ce_type", "order.placed".getBytes(StandardCharsets.UTF_8))
          .add("content-type", "application/json".getBytes(StandardCharsets.UTF_8));
      producer.send(garbage).get(10, TimeUnit.SECONDS);
    }
    bus.publish("order.placed", "fine").block(WAIT);

    await().atMost(WAIT).until(() -> handled.contains("fine") && letters.size() == 1);
    Event<Object> letter = letters.peek();
    assertThat(letter.payload()).isEqualTo("{not json");
    assertThat(letter.headers()).containsEntry(DeadLetterHeaders.GROUP, "billing")
        .containsEntry(DeadLetterHeaders.TOPIC, "order.placed").containsEntry(DeadLetterHeaders.ATTEMPTS, "0")
        .containsEntry(DeadLetterHeaders.ENTRY, namespace + ".log-0@0");
    assertThat(letter.headers().get(DeadLetterHeaders.ERROR)).contains("not valid JSON");
    await().atMost(WAIT).until(() -> committed(namespace + "|billing|order.*",
        new TopicPartition(namespace + ".log", 0)) >= 2L);
  }

  private static long committed(String groupId, TopicPartition partition) throws Exception {
    try (Admin admin = KafkaTestServer.admin()) {
      OffsetAndMetadata offset = admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata()
          .get(10, TimeUnit.SECONDS).get(partition);
      return offset == null ? -1 : offset.offset();
    }
  }

}
