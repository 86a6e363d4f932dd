package io.fluxbus.bench;

import io.fluxbus.Event;
import io.fluxbus.codec.EventCodec;
import io.fluxbus.redis.RedisEventBus;
import io.lettuce.core.RedisClient;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.reactive.RedisReactiveCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
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
 * Publish throughput of the {@code redis} engine against a real Redis ({@code FLUXBUS_REDIS_URL}, default
 * {@code redis://127.0.0.1:6379}), events per second, with {@code inFlight} publishes outstanding at once on the
 * bus's one command connection (Lettuce pipelines them), the way a service publishes from many requests at once.
 *
 * <ul>
 *   <li>{@code pubsub}, {@code streams}: {@code RedisEventBus.publish(event)} in that mode (no local subscriber,
 *       so it measures the engine's way to Redis: encoding, the command, the result);</li>
 *   <li>{@code lettucePublish}, {@code lettuceXadd}: the same bytes sent with raw Lettuce reactive commands on one
 *       connection, the client ceiling the engine builds on.</li>
 * </ul>
 *
 * <p>{@code benchmarks/redis.sh} runs this next to {@code redis-benchmark} at the same concurrency and prints the
 * ratios. Streams are capped with {@code MAXLEN ~ 100000} (engine and raw alike) so memory stays flat.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@State(Scope.Benchmark)
public class RedisPublishThroughput {

  static final int BATCH = 10_000;
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final long MAX_LEN = 100_000;

  /** What publishes. */
  @Param({"pubsub", "streams", "lettucePublish", "lettuceXadd"})
  public String impl;

  /** Publishes outstanding at once. */
  @Param({"50"})
  public int inFlight;

  private final String namespace = "bench-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
  private RedisEventBus bus;
  private RedisClient client;
  private StatefulRedisConnection<String, byte[]> connection;
  private RedisReactiveCommands<String, byte[]> raw;
  private Event<Object> event;
  private byte[] body;
  private Map<String, byte[]> fields;

  /** The server benchmarks talk to. */
  static String url() {
    String configured = System.getenv("FLUXBUS_REDIS_URL");
    return configured == null || configured.isBlank() ? "redis://127.0.0.1:6379" : configured;
  }

  /** The event every publish sends: a small order, with a key and a source. */
  static Event<Object> event() {
    return Event.builder("order.placed", (Object) Map.of("orderId", "o-12345", "customer", "c-42", "total", 99.5))
        .key("c-42").source("bench").build();
  }

  /** Connects the bus or the raw client and builds the one event every publish sends. */
  @Setup(Level.Trial)
  public void start() {
    event = event();
    body = EventCodec.json().encode(event);
    fields = new LinkedHashMap<>();
    fields.put("e", body);
    fields.put("t", event.topic().getBytes(StandardCharsets.UTF_8));
    fields.put("o", "bench-raw".getBytes(StandardCharsets.UTF_8));
    switch (impl) {
      case "pubsub" -> bus = RedisEventBus.builder().url(url()).namespace(namespace).workers(1).build();
      case "streams" -> bus = RedisEventBus.builder().url(url()).namespace(namespace).workers(1)
          .mode(RedisEventBus.Mode.STREAMS).maxLen(MAX_LEN).build();
      case "lettucePublish", "lettuceXadd" -> {
        client = RedisClient.create(url());
        connection = client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
        raw = connection.reactive();
      }
      default -> throw new IllegalArgumentException("unknown impl " + impl);
    }
    if (bus != null) {
      bus.start().block(TIMEOUT);
    }
  }

  /** Stops the bus, deletes what the run wrote, closes the raw client. */
  @TearDown(Level.Trial)
  public void stop() {
    if (bus != null) {
      bus.stop().block(TIMEOUT);
    }
    RedisClient cleaner = client != null ? client : RedisClient.create(url());
    try (StatefulRedisConnection<String, String> admin = cleaner.connect()) {
      admin.sync().del("{" + namespace + "}:log:0", "bench:" + namespace);
    }
    cleaner.shutdown(Duration.ZERO, Duration.ofSeconds(2));
  }

  /** Publishes {@link #BATCH} events, {@code inFlight} at a time, and waits for every result. */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public long publish() {
    return InFlightPublishes.complete(BATCH, inFlight, this::send, impl);
  }

  private Mono<?> send() {
    return switch (impl) {
      case "lettucePublish" -> raw.publish(namespace + ":raw:order.placed", body);
      case "lettuceXadd" -> raw.xadd("bench:" + namespace, new XAddArgs().maxlen(MAX_LEN).approximateTrimming(),
          fields);
      default -> bus.publish(event);
    };
  }
}
