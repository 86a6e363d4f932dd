package io.fluxbus.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

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
}
