package io.fluxbus.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("server timeouts: idle connections, slow heads and slow bodies are closed; streams stay open")
class GatewayTimeoutTest {

  private static final Duration IDLE = Duration.ofMillis(400);
  private static final Duration REQUEST = Duration.ofMillis(400);

  private Gateway gateway;

  @BeforeEach
  void start() {
    gateway = Gateway.start(TestGateways.settings().withIdleTimeout(IDLE).withRequestTimeout(REQUEST)
        .withHeartbeat(Duration.ofMillis(100))).block(GatewayClient.TIMEOUT);
  }

  @AfterEach
  void stop() {
    gateway.stop().block(GatewayClient.TIMEOUT);
  }

  /** Catches a server without an idle timeout: the read below would time out after 10 s instead of ending. */
  @Test
  @DisplayName("a connection that sends nothing is closed")
  void idleConnectionIsClosed() throws IOException {
    try (RawSocket socket = new RawSocket(gateway.port())) {
      assertThat(socket.input().read()).isEqualTo(-1);
    }
  }

  /**
   * Catches a server without the idle timeout, and a timer that every byte read resets: a client sending one
   * header byte every 50 ms would keep the connection open forever, and the await would time out.
   */
  @Test
  @DisplayName("a request head that trickles in is cut off")
  void slowHeadIsCutOff() throws IOException {
    try (RawSocket socket = new RawSocket(gateway.port())) {
      socket.write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
      AtomicInteger trickled = new AtomicInteger();

      await().pollInterval(Duration.ofMillis(50)).atMost(GatewayClient.TIMEOUT).until(() -> {
        try {
          socket.write(new byte[] {'a'});
          trickled.incrementAndGet();
          return false;
        } catch (IOException closed) {
          return true;
        }
      });

      assertThat(trickled.get()).isPositive();
    }
  }

  /** Catches a server without a request timeout: the body never completes and the read would time out. */
  @Test
  @DisplayName("a body that stops arriving is answered 408 with a JSON error, and the connection closed")
  void slowBodyIs408() throws IOException {
    try (RawSocket socket = new RawSocket(gateway.port())) {
      socket.write(("POST /events/orders.placed HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
          + "Content-Length: 100\r\n\r\n{\"n\":").getBytes(StandardCharsets.US_ASCII));

      GatewayClient.Answer answer = RawHttp.parse(socket.readToEnd());

      assertThat(answer.status()).isEqualTo(408);
      assertThat(answer.json().get("error").asText()).isEqualTo("request_timeout");
      assertThat(gateway.bus().stats().published()).isZero();
    }
  }

  /** Catches timeouts applied to whole exchanges: a stream would be cut after 400 ms, before ten keep-alives. */
  @Test
  @DisplayName("an event stream outlives both timeouts, kept alive by its heartbeat")
  void streamsOutliveTheTimeouts() {
    try (RecordedStream stream = new GatewayClient(gateway).record("/events/orders.%23").awaitReady()) {
      await().atMost(GatewayClient.TIMEOUT).until(() -> stream.comments().stream()
          .filter(comment -> comment.equals("keep-alive")).count() >= 10);
    }
  }

  /**
   * Catches either timeout applied to an upgraded connection: the WebSocket would be closed (or fail with a request
   * timeout) after 400 ms, before the second publish. The stream's ten keep-alives are the clock.
   */
  @Test
  @DisplayName("a WebSocket outlives both timeouts, quiet in between")
  void socketsOutliveTheTimeouts() throws IOException {
    try (RawSocket socket = new RawSocket(gateway.port()).upgrade();
         RecordedStream clock = new GatewayClient(gateway).record("/events/clock.%23").awaitReady()) {
      socket.sendText("{\"type\":\"publish\",\"id\":\"p1\",\"topic\":\"orders.placed\",\"payload\":{}}");
      assertThat(socket.readFrame().text()).contains("published");

      await().atMost(GatewayClient.TIMEOUT).until(() -> clock.comments().stream()
          .filter(comment -> comment.equals("keep-alive")).count() >= 10);
      socket.sendText("{\"type\":\"publish\",\"id\":\"p2\",\"topic\":\"orders.placed\",\"payload\":{}}");

      RawSocket.Frame answer = socket.readFrame();
      assertThat(answer.opcode()).as(answer.text()).isEqualTo(0x1);
      assertThat(answer.text()).contains("published", "p2");
    }
  }
}
