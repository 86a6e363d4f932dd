package io.fluxbus.bench;

import io.fluxbus.kafka.KafkaEventBus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Publish-to-handler latency of the {@code kafka} engine between two buses (separate clients, as two processes), at a
 * paced rate, reported as p50, p90, p99 and max in microseconds; the payload carries the publisher's
 * {@code System.nanoTime()}.
 *
 * <ul>
 *   <li>{@code tail}: a sync handler on the receiving bus (its tail of the log);</li>
 *   <li>{@code group}: a durable group's member on the receiving bus (poll, lane, handle, commit);</li>
 *   <li>{@code kafkaClients}: a raw producer ({@code acks=all}, {@code linger.ms=0}) to a raw consumer's poll loop:
 *       the client ceiling.</li>
 * </ul>
 *
 * <pre>
 * java -cp benchmarks.jar io.fluxbus.bench.KafkaLatency --impl group [--rate 1000] [--warmup 2000]
 *     [--events 10000] [--out results.jsonl]
 * </pre>
 */
public final class KafkaLatency {

  private KafkaLatency() {
  }

  /** Runs one measurement; see the class comment for the arguments. Prints (and appends to --out) one JSON line. */
  public static void main(String[] args) throws IOException {
    String namespace = "latency-" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1);
    String bootstrap = KafkaPublishThroughput.bootstrap();
    PacedLatency.main(args, "group", 1_000, 2_000, 10_000, (impl, arrived) -> switch (impl) {
      case "tail", "group" -> busSide(impl, bootstrap, namespace, arrived);
      case "kafkaClients" -> new RawSide(bootstrap, namespace, arrived);
      default -> throw new IllegalArgumentException("unknown impl " + impl + "; tail, group or kafkaClients");
    });
  }

  private static PacedLatency.Side busSide(String impl, String bootstrap, String namespace, LongConsumer arrived) {
    KafkaEventBus publisher = KafkaEventBus.builder().bootstrapServers(bootstrap).namespace(namespace).partitions(1)
        .linger(Duration.ZERO).workers(1).build();
    KafkaEventBus receiver = KafkaEventBus.builder().bootstrapServers(bootstrap).namespace(namespace).partitions(1)
        .linger(Duration.ZERO).workers(1).build();
    return BusLatencySide.open(publisher, receiver, impl.equals("group"), arrived,
        () -> deleteTopic(bootstrap, namespace + ".log"));
  }

  private static void deleteTopic(String bootstrap, String topic) {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      admin.deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      System.err.println("could not delete " + topic + ": " + e);
    }
  }

  /** Raw kafka-clients: a producer, and a consumer assigned the partition, polling on a thread of its own. */
  private static final class RawSide implements PacedLatency.Side {
    private final String bootstrap;
    private final String topic;
    private final KafkaProducer<byte[], byte[]> producer;
    private final Thread loop;
    private volatile boolean closed;

    RawSide(String bootstrap, String namespace, LongConsumer arrived) {
      this.bootstrap = bootstrap;
      this.topic = namespace + ".raw";
      try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new IllegalStateException("cannot create " + topic, e);
      }
      Map<String, Object> producing = new HashMap<>();
      producing.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      producing.put(ProducerConfig.ACKS_CONFIG, "all");
      producing.put(ProducerConfig.LINGER_MS_CONFIG, 0);
      producer = new KafkaProducer<>(producing, new ByteArraySerializer(), new ByteArraySerializer());
      Map<String, Object> consuming = new HashMap<>();
      consuming.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consuming, new ByteArrayDeserializer(),
          new ByteArrayDeserializer());
      TopicPartition partition = new TopicPartition(topic, 0);
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      consumer.position(partition);
      loop = new Thread(() -> {
        try (consumer) {
          while (!closed) {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
              arrived.accept(Long.parseLong(new String(record.value(), StandardCharsets.UTF_8)));
            }
          }
        }
      }, "raw-consumer");
      loop.setDaemon(true);
      loop.start();
    }

    @Override
    public void send(long sentNanos) {
      producer.send(new ProducerRecord<>(topic, Long.toString(sentNanos).getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public void close() {
      closed = true;
      producer.close(Duration.ofSeconds(5));
      try {
        loop.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      deleteTopic(bootstrap, topic);
    }
  }
}
