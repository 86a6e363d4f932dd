package io.fluxbus.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.kafka.CloudEventDeserializer;
import io.cloudevents.kafka.CloudEventSerializer;
import io.fluxbus.Event;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * The engine's records are CloudEvents in the binary content mode of the official Kafka protocol binding
 * ({@code io.cloudevents:cloudevents-kafka}): the binding reads what the engine writes, and the engine reads what
 * the binding writes.
 */
@DisplayName("Kafka records and the official CloudEvents Kafka binding")
class CloudEventsBindingTest {

  private static final String PREFIX = "cloudevents-" + System.nanoTime();
  private static final Duration WAIT = Duration.ofSeconds(30);
  private KafkaEventBus bus;

  @BeforeEach
  void start() {
    bus = KafkaEventBus.builder().bootstrapServers(KafkaTestServer.bootstrap()).namespace(PREFIX + "-" + System.nanoTime())
        .partitions(1).linger(Duration.ZERO).build();
    bus.start().block(WAIT);
  }

  @AfterEach
  void stop() {
    bus.stop().block(WAIT);
  }

  @AfterAll
  static void deleteTopics() {
    KafkaTestServer.deleteTopics(PREFIX);
  }

  @Test
  @DisplayName("the binding reads a published event: attributes, extensions, headers, key and JSON data")
  void theBindingReadsWhatTheEngineWrites() {
    Event<Object> published = Event.builder("order.placed", (Object) Map.of("sku", "A-1", "qty", 2))
        .key("order-7").version(3).source("shop").header("tenant", "acme").build();
    bus.publish(published).block(WAIT);

    Properties config = new Properties();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestServer.bootstrap());
    config.put(ConsumerConfig.GROUP_ID_CONFIG, PREFIX + "-reader");
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    try (KafkaConsumer<String, CloudEvent> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
        new CloudEventDeserializer())) {
      consumer.subscribe(List.of(bus.logTopic()));
      Queue<ConsumerRecord<String, CloudEvent>> read = new ConcurrentLinkedQueue<>();
      await().atMost(WAIT).until(() -> {
        consumer.poll(Duration.ofMillis(200)).forEach(read::add);
        return !read.isEmpty();
      });
      ConsumerRecord<String, CloudEvent> record = read.peek();
      CloudEvent event = record.value();
      assertThat(record.key()).isEqualTo("order-7");
      assertThat(event.getSpecVersion().toString()).isEqualTo("1.0");
      assertThat(event.getId()).isEqualTo(published.id());
      assertThat(event.getType()).isEqualTo("order.placed");
      assertThat(event.getSource()).isEqualTo(URI.create("shop"));
      assertThat(event.getDataContentType()).isEqualTo("application/json");
      assertThat(event.getExtension("partitionkey")).isEqualTo("order-7");
      assertThat(event.getExtension("eventversion")).isEqualTo("3");
      assertThat(event.getExtension("tenant")).isEqualTo("acme");
      assertThat(event.getExtension("correlationid")).isEqualTo(published.id());
      assertThat(new String(event.getData().toBytes(), StandardCharsets.UTF_8))
          .contains("\"sku\":\"A-1\"").contains("\"qty\":2");
    }
  }

  @Test
  @DisplayName("the engine reads an event the binding wrote to the log, and hands it to subscribers")
  void theEngineReadsWhatTheBindingWrites() {
    Queue<Event<Object>> received = new ConcurrentLinkedQueue<>();
    bus.subscribe("invoice.#", event -> Mono.fromRunnable(() -> received.add(event))).block(WAIT);
    CloudEvent written = CloudEventBuilder.v1().withId("ce-1").withType("invoice.sent")
        .withSource(URI.create("billing")).withTime(OffsetDateTime.parse("2026-01-02T03:04:05Z"))
        .withDataContentType("application/json").withExtension("partitionkey", "inv-9")
        .withExtension("tenant", "acme").withData("{\"total\":12.5}".getBytes(StandardCharsets.UTF_8)).build();

    Properties config = new Properties();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestServer.bootstrap());
    try (KafkaProducer<String, CloudEvent> producer = new KafkaProducer<>(config, new StringSerializer(),
        new CloudEventSerializer())) {
      producer.send(new ProducerRecord<>(bus.logTopic(), "inv-9", written)).get();
    } catch (Exception e) {
      throw new AssertionError(e);
    }

    await().atMost(WAIT).until(() -> !received.isEmpty());
    Event<Object> event = received.peek();
    assertThat(event.id()).isEqualTo("ce-1");
    assertThat(event.topic()).isEqualTo("invoice.sent");
    assertThat(event.source()).isEqualTo("billing");
    assertThat(event.key()).isEqualTo("inv-9");
    assertThat(event.time()).isEqualTo(OffsetDateTime.parse("2026-01-02T03:04:05Z").toInstant());
    assertThat(event.headers()).containsEntry("tenant", "acme");
    assertThat(event.payload()).isEqualTo(Map.of("total", 12.5));
  }
}
