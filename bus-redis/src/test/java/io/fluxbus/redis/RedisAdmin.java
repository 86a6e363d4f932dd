package io.fluxbus.redis;

import io.lettuce.core.KillArgs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * A plain Lettuce client on the test server, to do what a test needs outside the engine: publish raw messages,
 * watch raw channels, kill a bus's connection. Blocking calls, for the test thread only.
 */
final class RedisAdmin implements AutoCloseable {

  private static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

  private final RedisClient client = RedisClient.create(RedisTestServer.url());
  private final StatefulRedisConnection<String, String> connection = client.connect();

  RedisCommands<String, String> commands() {
    return connection.sync();
  }

  /** Publishes a raw body on a channel; returns Redis's receiver count. */
  long publish(String channel, String body) {
    return connection.sync().publish(channel, body);
  }

  /**
   * Kills the connection whose client name is {@code name}.
   *
   * @throws AssertionError if no such connection exists
   */
  void killClient(String name) {
    String list = connection.sync().clientList();
    long id = list.lines()
        .filter(line -> List.of(line.split(" ")).contains("name=" + name))
        .map(line -> line.substring(line.indexOf("id=") + 3, line.indexOf(' ')))
        .mapToLong(Long::parseLong)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no client named " + name + " in CLIENT LIST:\n" + list));
    connection.sync().clientKill(KillArgs.Builder.id(id));
  }

  /** Whether a connection named {@code name} is connected. */
  boolean hasClient(String name) {
    return connection.sync().clientList().lines()
        .anyMatch(line -> List.of(line.split(" ")).contains("name=" + name));
  }

  /** Deletes every key matching a glob pattern (SCAN, then DEL); returns how many. */
  long deleteKeys(String pattern) {
    RedisCommands<String, String> sync = connection.sync();
    long deleted = 0;
    io.lettuce.core.KeyScanCursor<String> cursor =
        sync.scan(io.lettuce.core.ScanArgs.Builder.matches(pattern).limit(1000));
    while (true) {
      if (!cursor.getKeys().isEmpty()) {
        deleted += sync.del(cursor.getKeys().toArray(String[]::new));
      }
      if (cursor.isFinished()) {
        return deleted;
      }
      cursor = sync.scan(cursor, io.lettuce.core.ScanArgs.Builder.matches(pattern).limit(1000));
    }
  }

  /** Records every message on channels matching a glob pattern, raw. */
  RawMessages psubscribe(String pattern) {
    StatefulRedisPubSubConnection<String, byte[]> pubsub = client.connectPubSub(CODEC);
    RawMessages messages = new RawMessages(pubsub);
    pubsub.addListener(new RedisPubSubAdapter<>() {
      @Override
      public void message(String subscribed, String channel, byte[] message) {
        messages.add(channel, message);
      }
    });
    pubsub.sync().psubscribe(pattern);
    return messages;
  }

  @Override
  public void close() {
    connection.close();
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
  }

  /** Messages received on a raw pattern subscription. */
  static final class RawMessages implements AutoCloseable {
    private final StatefulRedisPubSubConnection<String, byte[]> connection;
    final Queue<RawMessage> received = new ConcurrentLinkedQueue<>();

    RawMessages(StatefulRedisPubSubConnection<String, byte[]> connection) {
      this.connection = connection;
    }

    void add(String channel, byte[] body) {
      received.add(new RawMessage(channel, body));
    }

    @Override
    public void close() {
      connection.closeAsync().orTimeout(2, TimeUnit.SECONDS);
    }
  }

  /** A channel and a body as Redis delivered them. */
  record RawMessage(String channel, byte[] body) {
    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }
}
