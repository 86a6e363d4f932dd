package io.fluxbus.bench;

import io.fluxbus.Event;
import io.fluxbus.kafka.KafkaEventBus;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import reactor.core.publisher.Mono;

/**
 * Publish throughput of the {@code kafka} engine against a real broker ({@code FLUXBUS_KAFKA_BOOTSTRAP}, default
 * {@code 127.0.0.1:9092}), events per second, with 1 ({@code inFlight1}) and 64 ({@code inFlight64}) publishes outstanding at once.
 *
 * <ul>
 *   <li>{@code engine}: {@code KafkaEventBus.publish(event)} (no local subscriber: encoding, the send on the
 *       engine's thread, the broker's acknowledgement, the result on the bus's delivery thread);</li>
 *   <li>{@code kafkaClients}: the same record (key, {@code ce_*} headers, JSON value) sent with a raw
 *       {@code KafkaProducer} whose callback completes each send: the client ceiling the engine builds on.</li>
 * </ul>
 *
 * <p>Both with {@code acks=all}, the idempotent producer, {@code linger.ms=5} and a 64 KiB batch, on a topic of one
 * partition each (one key). {@code benchmarks/kafka.sh} runs this next to Kafka's {@code ProducerPerformance}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 5, time = 2)
@State(Scope.Benchmark)
public class KafkaPublishThroughput {

  /** Publishes per invocation with 64 in flight. */
  static final int BATCH = 5_000;
  /** Publishes per invocation with one in flight: each waits for the broker (and {@code linger.ms}) alone. */
  static final int SMALL_BATCH = 100;
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  /** What publishes. */
  @Param({"engine", "kafkaClients"})
  public String impl;

  private final String namespace = "bench-" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1);
  private KafkaEventBus bus;
  private KafkaProducer<byte[], byte[]> producer;
  private Event<Object> event;
  private byte[] key;
  private byte[] value;
  private RecordHeaders headers;

  /** Prints the bytes of the benchmark's record: its value and its headers' names and values. */
  public static void main(String[] args) throws Exception {
    KafkaPublishThroughput state = new KafkaPublishThroughput();
    state.impl = "size";
    state.prepare();
    int size = state.value.length;
    for (org.apache.kafka.common.header.Header header : state.headers) {
      size += header.key().length() + header.value().length;
    }
    System.out.println(size);
  }

  /** The broker benchmarks talk to. */
  static String bootstrap() {
    String configured = System.getenv("FLUXBUS_KAFKA_BOOTSTRAP");
    return configured == null || configured.isBlank() ? "127.0.0.1:9092" : configured;
  }

  /** Connects the bus or the raw producer. */
  @Setup(Level.Trial)
  public void start() throws Exception {
    prepare();
    connect();
  }

  private void prepare() throws Exception {
    event = RedisPublishThroughput.event();
    key = event.key().getBytes(StandardCharsets.UTF_8);
    value = io.fluxbus.codec.EventCodec.json().mapper().writeValueAsBytes(event.payload());
    headers = new RecordHeaders();
    for (String[] header : new String[][] {{"ce_specversion", "1.0"}, {"ce_id", event.id()},
        {"ce_source", "bench"}, {"ce_type", event.topic()}, {"ce_time", "2026-01-01T00:00:00Z"},
        {"content-type", "application/json"}, {"ce_partitionkey", event.key()}, {"ce_eventversion", "1"},
        {"ce_correlationid", event.id()}, {"fluxbus_origin", "00000000-0000-0000-0000-000000000000"}}) {
      headers.add(header[0], header[1].getBytes(StandardCharsets.UTF_8));
    }
  }

  private void connect() throws Exception {
    if (impl.equals("engine")) {
      bus = KafkaEventBus.builder().bootstrapServers(bootstrap()).namespace(namespace).partitions(1)
          .linger(Duration.ofMillis(5)).workers(1).build();
      bus.start().block(TIMEOUT);
    } else {
      try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap()))) {
        admin.createTopics(java.util.List.of(new NewTopic(namespace + ".log", 1, (short) 1))).all()
            .get(30, TimeUnit.SECONDS);
      }
      Map<String, Object> config = new HashMap<>();
      config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
      config.put(ProducerConfig.ACKS_CONFIG, "all");
      config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
      config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
      config.put(ProducerConfig.BATCH_SIZE_CONFIG, 64 * 1024);
      producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
    }
  }

  /** Stops the bus or closes the producer, and deletes the topic. */
  @TearDown(Level.Trial)
  public void stop() throws Exception {
    if (bus != null) {
      bus.stop().block(TIMEOUT);
    }
    if (producer != null) {
      producer.close(TIMEOUT);
    }
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap()))) {
      admin.deleteTopics(java.util.List.of(namespace + ".log")).all().get(30, TimeUnit.SECONDS);
    }
  }

  /** Publishes {@link #SMALL_BATCH} events one at a time, each after the previous one's result. */
  @Benchmark
  @OperationsPerInvocation(SMALL_BATCH)
  public long inFlight1() {
    return InFlightPublishes.complete(SMALL_BATCH, 1, this::send, impl);
  }

  /** Publishes {@link #BATCH} events, 64 at a time, and waits for every result. */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public long inFlight64() {
    return InFlightPublishes.complete(BATCH, 64, this::send, impl);
  }

  private Mono<?> send() {
    if (bus != null) {
      return bus.publish(event);
    }
    return Mono.create(sink -> producer.send(new ProducerRecord<>(namespace + ".log", null, null, key, value, headers),
        (metadata, error) -> {
          if (error == null) {
            sink.success(metadata);
          } else {
            sink.error(error);
          }
        }));
  }
}
