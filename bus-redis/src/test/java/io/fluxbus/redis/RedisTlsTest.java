package io.fluxbus.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fluxbus.EngineUnavailableException;
import io.fluxbus.SubscribeOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;

/**
 * {@code rediss://} against a real Redis serving TLS only, with a password: a server of the test's own, started
 * from the {@code redis-server} on the PATH with a certificate made by {@code openssl}. Both tools are on CI's
 * machine; on a machine without them the test is skipped, saying which is missing (the embedded Redis has no TLS).
 */
@DisplayName("RedisEventBus over TLS")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RedisTlsTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final String PASSWORD = "tls-" + Long.toHexString(ThreadLocalRandom.current().nextLong());

  @TempDir
  static Path dir;
  private static Process server;
  private static int port;

  private final List<RedisEventBus> buses = new ArrayList<>();

  @BeforeAll
  static void startTlsServer() throws Exception {
    Assumptions.assumeTrue(onPath("redis-server") && onPath("openssl"),
        "needs redis-server and openssl on the PATH to run a TLS server (the embedded Redis has no TLS)");
    run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
        "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
        "-keyout", dir.resolve("key.pem").toString(), "-out", dir.resolve("cert.pem").toString());
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    server = new ProcessBuilder("redis-server", "--port", "0", "--tls-port", Integer.toString(port),
        "--bind", "127.0.0.1", "--tls-cert-file", dir.resolve("cert.pem").toString(),
        "--tls-key-file", dir.resolve("key.pem").toString(), "--tls-ca-cert-file", dir.resolve("cert.pem").toString(),
        "--tls-auth-clients", "no", "--requirepass", PASSWORD, "--save", "", "--appendonly", "no",
        "--dir", dir.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
    await().atMost(WAIT).until(RedisTlsTest::listening);
  }

  @AfterAll
  static void stopTlsServer() {
    if (server != null) {
      server.destroyForcibly();
    }
  }

  @AfterEach
  void stopBuses() {
    buses.forEach(bus -> bus.stop().block(WAIT));
  }

  private static boolean onPath(String command) {
    return System.getenv("PATH") != null && java.util.Arrays.stream(System.getenv("PATH").split(":"))
        .anyMatch(folder -> Files.isExecutable(Path.of(folder, command)));
  }

  private static void run(String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(dir.resolve("openssl.log").toFile()).start();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("%s finished", command[0]).isTrue();
    assertThat(process.exitValue()).as("%s exit code", command[0]).isZero();
  }

  private static boolean listening() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException notYet) {
      return false;
    }
  }

  private RedisEventBus bus(RedisEventBus.Builder builder) {
    RedisEventBus bus = builder.url("rediss://:" + PASSWORD + "@127.0.0.1:" + port).namespace("tls")
        .mode(RedisEventBus.Mode.STREAMS).blockTimeout(Duration.ofMillis(100)).workers(1).build();
    buses.add(bus);
    return bus;
  }

  @Test
  @DisplayName("buses that trust the server's certificate exchange events over TLS, with groups")
  void eventsCrossOverTls() {
    RedisEventBus publisher = bus(RedisEventBus.builder().trustedCertificates(dir.resolve("cert.pem")));
    RedisEventBus receiver = bus(RedisEventBus.builder().trustedCertificates(dir.resolve("cert.pem")));
    publisher.start().block(WAIT);
    receiver.start().block(WAIT);
    Queue<Object> received = new ConcurrentLinkedQueue<>();
    receiver.subscribe("order.placed", SubscribeOptions.defaults().group("billing"),
        event -> Mono.fromRunnable(() -> received.add(event.payload()))).block(WAIT);

    publisher.publish("order.placed", "over tls").block(WAIT);

    await().atMost(WAIT).untilAsserted(() -> assertThat(received).containsExactly("over tls"));
    assertThat(publisher.toString()).contains("127.0.0.1:" + port).doesNotContain(PASSWORD);
  }

  @Test
  @DisplayName("a certificate the bus does not trust fails start, naming the address and never the password")
  void anUntrustedCertificateFailsStart() {
    RedisEventBus bus = bus(RedisEventBus.builder());

    assertThatThrownBy(() -> bus.start().block(WAIT))
        .isInstanceOf(EngineUnavailableException.class)
        .hasMessageContaining("127.0.0.1:" + port)
        .satisfies(error -> {
          for (Throwable t = error; t != null; t = t.getCause()) {
            assertThat(String.valueOf(t.getMessage())).doesNotContain(PASSWORD);
          }
        });
  }
}
