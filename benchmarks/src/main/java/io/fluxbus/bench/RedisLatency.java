package io.fluxbus.bench;

import io.fluxbus.redis.RedisEventBus;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongConsumer;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/**
 * Publish-to-handler latency of the {@code redis} engine between two buses (two connections, as two processes), at
 * a paced rate, reported as p50, p90, p99 and max in microseconds. Both buses live in this JVM, so the payload
 * carries the publisher's {@code System.nanoTime()} and the handler subtracts it from its own: the same clock.
 *
 * <ul>
 *   <li>{@code pubsub}: pub/sub mode, a sync handler on the receiving bus;</li>
 *   <li>{@code streams}: streams mode, a sync handler on the receiving bus (the bus's tail of the log);</li>
 *   <li>{@code group}: streams mode, a durable group's member on the receiving bus (read, handle, acknowledge);</li>
 *   <li>{@code lettucePubsub}, {@code lettuceXread}: raw Lettuce {@code PUBLISH} to a pub/sub listener, and
 *       {@code XADD} to a blocking {@code XREAD} loop: the client ceilings.</li>
 * </ul>
 *
 * <pre>
 * java -cp benchmarks.jar io.fluxbus.bench.RedisLatency --impl streams [--rate 1000] [--warmup 2000]
 *     [--events 10000] [--out results.jsonl]
 * </pre>
 */
public final class RedisLatency {


  private RedisLatency() {
  }

  /** Runs one measurement; see the class comment for the arguments. Prints (and appends to --out) one JSON line. */
  public static void main(String[] args) throws IOException {
    String namespace = "latency-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
    String url = RedisPublishThroughput.url();
    PacedLatency.main(args, "streams", 1_000, 2_000, 10_000, (impl, arrived) -> switch (impl) {
      case "pubsub", "streams", "group" -> busSide(impl, url, namespace, arrived);
      case "lettucePubsub" -> new RawPubSubSide(url, namespace, arrived);
      case "lettuceXread" -> new RawStreamSide(url, namespace, arrived);
      default -> throw new IllegalArgumentException("unknown impl " + impl
          + "; pubsub, streams, group, lettucePubsub or lettuceXread");
    });
  }


  /** Two {@link RedisEventBus}es of one namespace; closing deletes the namespace's keys. */
  private static PacedLatency.Side busSide(String impl, String url, String namespace, LongConsumer arrived) {
    RedisEventBus.Mode mode = impl.equals("pubsub") ? RedisEventBus.Mode.PUBSUB : RedisEventBus.Mode.STREAMS;
    RedisEventBus publisher = RedisEventBus.builder().url(url).namespace(namespace).mode(mode).workers(1).build();
    RedisEventBus receiver = RedisEventBus.builder().url(url).namespace(namespace).mode(mode).workers(1).build();
    return BusLatencySide.open(publisher, receiver, impl.equals("group"), arrived, () -> {
      RedisClient client = RedisClient.create(url);
      try (StatefulRedisConnection<String, String> admin = client.connect()) {
        for (String key : admin.sync().keys("{" + namespace + "}*")) {
          admin.sync().del(key);
        }
      } finally {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      }
    });
  }

  /** Raw Lettuce: PUBLISH on one connection, a pub/sub listener on another. */
  private static final class RawPubSubSide implements PacedLatency.Side {
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> commands;
    private final StatefulRedisPubSubConnection<String, String> pubsub;
    private final String channel;

    RawPubSubSide(String url, String namespace, LongConsumer arrived) {
      client = RedisClient.create(url);
      commands = client.connect();
      pubsub = client.connectPubSub();
      channel = namespace + ":latency";
      pubsub.addListener(new RedisPubSubAdapter<>() {
        @Override
        public void message(String from, String message) {
          arrived.accept(Long.parseLong(message));
        }
      });
      pubsub.sync().subscribe(channel);
    }

    @Override
    public void send(long sentNanos) {
      commands.reactive().publish(channel, Long.toString(sentNanos)).subscribe();
    }

    @Override
    public void close() {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  /** Raw Lettuce: XADD on one connection, a blocking XREAD loop on another. */
  private static final class RawStreamSide implements PacedLatency.Side {
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> commands;
    private final StatefulRedisConnection<String, String> reading;
    private final String key;
    private final Disposable loop;
    private volatile boolean closed;

    RawStreamSide(String url, String namespace, LongConsumer arrived) {
      client = RedisClient.create(url);
      commands = client.connect();
      reading = client.connect();
      key = "bench:" + namespace;
      // a new key: read it from its start, so no entry falls between two reads
      String[] last = {"0-0"};
      loop = Mono.defer(() -> reading.reactive()
              .xread(XReadArgs.Builder.block(Duration.ofMillis(500)).count(100), XReadArgs.StreamOffset.from(key,
                  last[0]))
              .doOnNext((StreamMessage<String, String> message) -> {
                last[0] = message.getId();
                arrived.accept(Long.parseLong(message.getBody().get("t")));
              })
              .then())
          .repeat(() -> !closed)
          .subscribe(null, error -> { });
    }

    @Override
    public void send(long sentNanos) {
      commands.reactive().xadd(key, Map.of("t", Long.toString(sentNanos))).subscribe();
    }

    @Override
    public void close() {
      closed = true;
      loop.dispose();
      commands.sync().del(key);
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }
}
