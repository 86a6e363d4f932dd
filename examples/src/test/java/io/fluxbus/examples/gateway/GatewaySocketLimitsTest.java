package io.fluxbus.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@DisplayName("/ws limits: what one connection can make the gateway hold, and protocol edges")
class GatewaySocketLimitsTest {

  private Gateway gateway;

  @BeforeEach
  void start() {
    gateway = TestGateways.start();
  }

  @AfterEach
  void stop() {
    gateway.stop().block(GatewayClient.TIMEOUT);
  }

  /**
   * Catches unbounded inbound concurrency (checked by giving the requests' {@code flatMap} a concurrency of
   * {@code Integer.MAX_VALUE}, as before): the gateway then reads every request while nothing can be written, never
   * pauses, and holds about 4,000 answers.
   */
  @Test
  @DisplayName("a client that sends and never reads makes the gateway stop reading its socket, holding a bounded backlog")
  void clientThatNeverReadsIsHeldToABound() throws Exception {
    // Given: publishes with a ~3 KB id, so every answer, which repeats the id, is ~3 KB to write
    RawSocket client = new RawSocket(gateway.port(), 4096).upgrade();
    String publish = "{\"type\":\"publish\",\"id\":\"" + "p".repeat(3000) + "\",\"topic\":\"bulk.data\","
        + "\"payload\":{}}";
    int messages = 5_000;
    AtomicInteger sent = new AtomicInteger();
    Thread writer = new Thread(() -> {
      try {
        while (sent.get() < messages) {
          client.sendText(publish);
          sent.incrementAndGet();
        }
      } catch (IOException closedAtTheEnd) {
        // the test closes the socket while this thread is blocked in a write
      }
    }, "never-reading-client");
    writer.setDaemon(true);

    // When: it sends far more than the socket buffers between them hold (~15 MB of answers and events)
    writer.start();
    await().atMost(GatewayClient.TIMEOUT)
        .until(() -> sent.get() == messages || gateway.socketBacklog().readingPaused() && sent.get() > 1000);

    // Then: the gateway stopped reading and holds at most its in-flight requests and what is on its way out
    long bound = SocketEndpoint.maxHeld(0);
    assertThat(gateway.socketBacklog().highWater()).isLessThanOrEqualTo(bound);
    assertThat(gateway.socketBacklog().held()).isLessThanOrEqualTo(bound);
    client.close();
    await().atMost(GatewayClient.TIMEOUT).until(() -> gateway.socketBacklog().held() == 0);
  }

  /** Catches reading messages leniently: HTTP refused trailing text, WebSocket published the first value. */
  @Test
  @DisplayName("text after a message's JSON is an invalid_json error, and nothing is published")
  void trailingTextIsRefused() {
    try (SocketTestClient socket = new SocketTestClient("ws://127.0.0.1:" + gateway.port() + "/ws")) {
      socket.send("{\"type\":\"publish\",\"id\":\"p\",\"topic\":\"orders.placed\",\"payload\":{}} trailing");

      assertThat(socket.next(GatewayClient.TIMEOUT).get("error").asText()).isEqualTo("invalid_json");
      assertThat(gateway.bus().stats().published()).isZero();
    }
  }

  /** Catches the old answer "no subscription 'null'", which named no problem. */
  @Test
  @DisplayName("an unsubscribe without an id says the id is needed")
  void unsubscribeWithoutIdSaysSo() {
    try (SocketTestClient socket = new SocketTestClient("ws://127.0.0.1:" + gateway.port() + "/ws")) {
      socket.send("{\"type\":\"unsubscribe\"}");

      com.fasterxml.jackson.databind.JsonNode answer = socket.next(GatewayClient.TIMEOUT);
      assertThat(answer.get("error").asText()).isEqualTo("invalid_message");
      assertThat(answer.get("message").asText()).contains("needs the 'id'").doesNotContain("null");
    }
  }

  /** Catches sockets dropped at shutdown without a close frame (the client saw 1006). */
  @Test
  @DisplayName("stopping the gateway closes sockets with a close frame, 1001 and a reason")
  void stopSendsACloseFrame() throws IOException {
    try (RawSocket client = new RawSocket(gateway.port()).upgrade()) {
      client.sendText("{\"type\":\"publish\",\"id\":\"p\",\"topic\":\"orders.placed\",\"payload\":{}}");
      assertThat(client.readFrame().opcode()).isEqualTo(0x1);

      gateway.stop().block(GatewayClient.TIMEOUT);

      RawSocket.Frame close = client.readFrame();
      assertThat(close.opcode()).isEqualTo(0x8);
      assertThat(close.closeCode()).isEqualTo(1001);
      assertThat(close.text()).contains("stopping");
    }
  }

  /**
   * Catches Netty's own handling of an oversized frame: it wrote its close frame and closed the connection at once,
   * and the client's unread rest of the frame was answered with a reset, so the client saw 1006 and no reason.
   * Only the head of the 10 MB frame and 64 KB of it are sent, so nothing depends on how fast the rest would go.
   */
  @Test
  @DisplayName("a 10 MB frame closes the socket with 1009 and a reason the client can read")
  void hugeFrameClosesWith1009() throws IOException {
    try (RawSocket client = new RawSocket(gateway.port()).upgrade()) {
      client.write(RawSocket.frameHead(0x1, true, 10 << 20));
      client.write(new byte[64 << 10]);

      RawSocket.Frame close = client.readFrame();
      assertThat(close.opcode()).isEqualTo(0x8);
      assertThat(close.closeCode()).isEqualTo(1009);
      assertThat(close.text()).contains(String.valueOf(TestGateways.MAX_BODY));
      assertThat(client.input().read()).as("the end of the stream after the close frame").isEqualTo(-1);
    }
  }

  /**
   * Catches discarding through Netty's frame decoder after a violation (checked by keeping it, as before): once
   * corrupt it reads one byte per call, and the connection stayed open for the whole linger however much the client
   * sent, so the 64 MB below were all read (in well under the 10 s) and the writes never failed. Now the connection
   * closes once {@link SocketFrameLimits#DISCARD_CAP} bytes have been discarded, and the client's writes fail.
   */
  @Test
  @Timeout(60)
  @DisplayName("after a violation, the gateway discards at most 4 MiB of what the client still sends, then closes")
  void discardingAfterAViolationIsCapped() throws IOException {
    try (RawSocket client = new RawSocket(gateway.port()).upgrade()) {
      client.write(RawSocket.frameHead(0x1, true, 1L << 40));
      assertThat(client.readFrame().closeCode()).isEqualTo(1009);

      byte[] chunk = new byte[64 << 10];
      long sent = 0;
      IOException failed = null;
      try {
        while (sent < 64 << 20) {
          client.write(chunk);
          sent += chunk.length;
        }
      } catch (IOException closedByTheGateway) {
        failed = closedByTheGateway;
      }

      assertThat(failed).as("a write failed, after %d bytes", sent).isNotNull();
    }
  }

  /**
   * Catches a socket whose handler never learned of its close for a violation (checked by dropping the
   * {@code takeUntilOther(violated)}): its subscriptions stayed for the whole linger, so a consumer group kept a
   * member that could write nothing and took its share of the group's events. The await is shorter than
   * {@link SocketFrameLimits#LINGER}, after which the broken variant ended them too.
   */
  @Test
  @DisplayName("a socket closed for a violation drops its subscriptions at once, its group membership with them")
  void violationEndsTheSubscriptions() throws IOException {
    try (RawSocket client = new RawSocket(gateway.port()).upgrade()) {
      client.sendText("{\"type\":\"subscribe\",\"id\":\"s\",\"pattern\":\"orders.#\",\"group\":\"billing\"}");
      assertThat(client.readFrame().text()).contains("subscribed");
      assertThat(gateway.bus().subscriberCount("orders.placed")).isEqualTo(1);

      client.write(new byte[] {(byte) 0x81, 0x02, 'h', 'i'});
      assertThat(client.readFrame().closeCode()).isEqualTo(1002);

      await().atMost(SocketFrameLimits.LINGER.dividedBy(2))
          .until(() -> gateway.bus().subscriberCount("orders.placed") == 0);
    }
  }

  /** Guards the frame limit at its edge: one byte over is refused the same way, and the limit itself is not. */
  @Test
  @DisplayName("a frame one byte over the limit closes with 1009; one at the limit is read")
  void frameJustOverTheLimitClosesWith1009() throws IOException {
    try (RawSocket client = new RawSocket(gateway.port()).upgrade()) {
      client.sendText(" ".repeat(TestGateways.MAX_BODY - 2) + "{}");
      RawSocket.Frame answer = client.readFrame();
      assertThat(answer.opcode()).isEqualTo(0x1);
      assertThat(answer.text()).contains("invalid_message");

      client.write(RawSocket.frame(0x1, true, new byte[TestGateways.MAX_BODY + 1]));

      RawSocket.Frame close = client.readFrame();
      assertThat(close.closeCode()).isEqualTo(1009);
      assertThat(close.text()).isNotBlank();
    }
  }

  /**
   * Catches the aggregation's own limit, which failed the connection without a close frame: a message sent in
   * fragments under the frame limit but over the message limit. The client sends 64 KB of it and never finishes, so
   * nothing depends on how fast a larger rest would go.
   */
  @Test
  @DisplayName("a fragmented message over the limit (64 KB in 2 KB fragments, unfinished) closes with 1009 and a reason")
  void fragmentedOversizeMessageClosesWith1009() throws IOException {
    try (RawSocket client = new RawSocket(gateway.port()).upgrade()) {
      byte[] fragment = new byte[2048];
      client.write(RawSocket.frame(0x1, false, fragment));
      for (int sent = fragment.length; sent < 64 << 10; sent += fragment.length) {
        client.write(RawSocket.frame(0x0, false, fragment));
      }

      RawSocket.Frame close = client.readFrame();
      assertThat(close.opcode()).isEqualTo(0x8);
      assertThat(close.closeCode()).isEqualTo(1009);
      assertThat(close.text()).contains(String.valueOf(TestGateways.MAX_BODY));
    }
  }

  /** Guards the replaced frame decoder: other protocol violations still close with their code and a reason. */
  @Test
  @DisplayName("an unmasked client frame closes with 1002 and a reason")
  void unmaskedFrameClosesWith1002() throws IOException {
    try (RawSocket client = new RawSocket(gateway.port()).upgrade()) {
      client.write(new byte[] {(byte) 0x81, 0x02, 'h', 'i'});

      RawSocket.Frame close = client.readFrame();
      assertThat(close.opcode()).isEqualTo(0x8);
      assertThat(close.closeCode()).isEqualTo(1002);
      assertThat(close.text()).contains("mask");
    }
  }

  /**
   * Catches reading text frames without checking their UTF-8: the bad byte became U+FFFD and the event was
   * published to a topic the client never named.
   */
  @Test
  @DisplayName("a text frame that is not UTF-8 closes with 1007 and a reason, and nothing is published")
  void textThatIsNotUtf8ClosesWith1007() throws IOException {
    try (RawSocket client = new RawSocket(gateway.port()).upgrade()) {
      java.io.ByteArrayOutputStream message = new java.io.ByteArrayOutputStream();
      message.writeBytes("{\"type\":\"publish\",\"id\":\"p\",\"topic\":\"orders.".getBytes(StandardCharsets.US_ASCII));
      message.write(0xFF);
      message.writeBytes("\",\"payload\":{}}".getBytes(StandardCharsets.US_ASCII));

      client.write(RawSocket.frame(0x1, true, message.toByteArray()));

      RawSocket.Frame close = client.readFrame();
      assertThat(close.opcode()).isEqualTo(0x8);
      assertThat(close.closeCode()).isEqualTo(1007);
      assertThat(close.text()).isNotBlank();
      assertThat(gateway.bus().stats().published()).isZero();
    }
  }
}
