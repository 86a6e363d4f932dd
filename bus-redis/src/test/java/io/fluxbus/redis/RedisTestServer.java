package io.fluxbus.redis;

import io.fluxbus.internal.Redaction;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.time.Duration;
import redis.embedded.RedisServer;

/**
 * The Redis server the tests of this module run against (docs/architecture.md, "Servers for tests"), chosen once per
 * test run:
 * <ol>
 *   <li>{@code FLUXBUS_REDIS_URL} when set; if it does not answer, every test fails (never skips);</li>
 *   <li>else {@code redis://127.0.0.1:6379} when it answers;</li>
 *   <li>else an embedded real Redis (codemonstur embedded-redis) on a free port, stopped when the JVM exits.</li>
 * </ol>
 * The system property {@code -Dfluxbus.test.redis=embedded} skips step 2, to check step 3 on a machine that has a
 * local server. The choice is printed once. Tests isolate themselves by namespace / key prefix, never by database.
 */
public final class RedisTestServer {

  private static final String DEFAULT_URL = "redis://127.0.0.1:6379";
  private static String url;

  private RedisTestServer() {}

  /** The URL of the server for this run; resolves it on first use. */
  public static synchronized String url() {
    if (url == null) {
      url = resolve();
    }
    return url;
  }

  private static String resolve() {
    String configured = System.getenv("FLUXBUS_REDIS_URL");
    if (configured != null && !configured.isBlank()) {
      String problem = ping(configured, Duration.ofSeconds(5));
      if (problem != null) {
        throw new IllegalStateException("FLUXBUS_REDIS_URL names " + Redaction.text(configured)
            + ", which does not answer: " + problem + "; start it or unset FLUXBUS_REDIS_URL");
      }
      announce(configured, "FLUXBUS_REDIS_URL");
      return configured;
    }
    if (!"embedded".equals(System.getProperty("fluxbus.test.redis"))
        && ping(DEFAULT_URL, Duration.ofSeconds(1)) == null) {
      announce(DEFAULT_URL, "local server");
      return DEFAULT_URL;
    }
    return startEmbedded();
  }

  private static String startEmbedded() {
    try {
      int port;
      try (ServerSocket socket = new ServerSocket(0)) {
        port = socket.getLocalPort();
      }
      RedisServer server = RedisServer.newRedisServer().port(port).bind("127.0.0.1")
          .setting("save \"\"").setting("appendonly no").build();
      server.start();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          server.stop();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }, "embedded-redis-stop"));
      String embedded = "redis://127.0.0.1:" + port;
      String problem = ping(embedded, Duration.ofSeconds(5));
      if (problem != null) {
        throw new IllegalStateException("embedded Redis on port " + port + " does not answer: " + problem);
      }
      announce(embedded, "embedded server");
      return embedded;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start an embedded Redis", e);
    }
  }

  /** Null when the server answers PING within {@code timeout}, else what went wrong. */
  private static String ping(String target, Duration timeout) {
    RedisURI uri = RedisURI.create(target);
    uri.setTimeout(timeout);
    RedisClient client = RedisClient.create(uri);
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      String answer = connection.sync().ping();
      return "PONG".equals(answer) ? null : "PING answered '" + answer + "'";
    } catch (RuntimeException e) {
      return e.getMessage();
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  private static void announce(String target, String how) {
    System.out.println("[fluxbus] Redis for tests: " + Redaction.text(target) + " (" + how + ")");
  }
}
