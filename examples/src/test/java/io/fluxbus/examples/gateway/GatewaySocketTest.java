package io.fluxbus.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.fluxbus.Event;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("/ws (WebSocket publish and subscribe)")
class GatewaySocketTest {

  private static final Duration TIMEOUT = GatewayClient.TIMEOUT;

  private Gateway gateway;
  private SocketTestClient socket;

  @BeforeEach
  void start() {
    gateway = TestGateways.start();
    socket = new SocketTestClient("ws://127.0.0.1:" + gateway.port() + "/ws");
  }

  @AfterEach
  void stop() {
    socket.close();
    gateway.stop().block(TIMEOUT);
  }

  @Test
  @DisplayName("a subscription is acknowledged, then receives what the same socket publishes, as CloudEvents JSON")
  void publishAndSubscribeOnOneSocket() {
    socket.send("{\"type\":\"subscribe\",\"id\":\"s1\",\"pattern\":\"orders.#\"}");
    JsonNode subscribed = socket.next(TIMEOUT);
    socket.send("{\"type\":\"publish\",\"id\":\"p1\",\"topic\":\"orders.placed\",\"payload\":{\"total\":42},"
        + "\"key\":\"c-7\",\"version\":3,\"correlationId\":\"checkout-9\"}");
    // the answer and the event may come in either order
    Map<String, JsonNode> byType = new HashMap<>();
    while (byType.size() < 2) {
      JsonNode message = socket.next(TIMEOUT);
      byType.put(message.get("type").asText(), message);
    }
    JsonNode published = byType.get("published");
    JsonNode event = byType.get("event");

    assertThat(subscribed.get("type").asText()).isEqualTo("subscribed");
    assertThat(subscribed.get("id").asText()).isEqualTo("s1");
    assertThat(published.get("id").asText()).isEqualTo("p1");
    assertThat(published.get("result").get("delivered").asInt()).isEqualTo(1);
    assertThat(event.get("id").asText()).isEqualTo("s1");
    JsonNode cloudEvent = event.get("event");
    assertThat(cloudEvent.get("id").asText()).isEqualTo(published.get("result").get("eventId").asText());
    assertThat(cloudEvent.get("type").asText()).isEqualTo("orders.placed");
    assertThat(cloudEvent.get("partitionkey").asText()).isEqualTo("c-7");
    assertThat(cloudEvent.get("eventversion").asInt()).isEqualTo(3);
    assertThat(cloudEvent.get("correlationid").asText()).isEqualTo("checkout-9");
    assertThat(cloudEvent.get("data").get("total").asInt()).isEqualTo(42);
  }

  @Test
  @DisplayName("events published elsewhere reach a socket subscription; unsubscribing removes it from the bus")
  void unsubscribeRemovesTheSubscription() {
    socket.send("{\"type\":\"subscribe\",\"id\":\"audit\",\"pattern\":\"audit.*\",\"group\":\"auditors\"}");
    assertThat(socket.next(TIMEOUT).get("type").asText()).isEqualTo("subscribed");

    Event<String> login = Event.of("audit.login", "ada");
    gateway.bus().publish(login).block(TIMEOUT);
    JsonNode event = socket.next(TIMEOUT);
    socket.send("{\"type\":\"unsubscribe\",\"id\":\"audit\"}");
    JsonNode unsubscribed = socket.next(TIMEOUT);

    assertThat(event.get("event").get("id").asText()).isEqualTo(login.id());
    assertThat(unsubscribed.get("type").asText()).isEqualTo("unsubscribed");
    assertThat(unsubscribed.get("id").asText()).isEqualTo("audit");
    await().atMost(TIMEOUT).until(() -> gateway.bus().subscriberCount("audit.login") == 0);
  }

  @Test
  @DisplayName("bad messages are answered with an error naming the problem and the value; the socket stays usable")
  void badMessagesAreAnsweredWithErrors() {
    socket.send("{\"type\":\"publish\",\"id\":\"p1\",\"topic\":\"orders..placed\",\"payload\":{}}");
    JsonNode badTopic = socket.next(TIMEOUT);
    socket.send("{\"type\":\"publish\",\"id\":\"p2\",\"topic\":\"orders.placed\"}");
    JsonNode noPayload = socket.next(TIMEOUT);
    socket.send("{not json");
    JsonNode notJson = socket.next(TIMEOUT);
    socket.send("{\"type\":\"shout\",\"id\":\"x\"}");
    JsonNode unknownType = socket.next(TIMEOUT);
    socket.send("{\"type\":\"unsubscribe\",\"id\":\"nope\"}");
    JsonNode unknownSubscription = socket.next(TIMEOUT);
    socket.send("{\"type\":\"publish\",\"id\":\"p3\",\"topic\":\"orders.placed\",\"payload\":1}");
    JsonNode fine = socket.next(TIMEOUT);

    assertThat(badTopic.get("type").asText()).isEqualTo("error");
    assertThat(badTopic.get("id").asText()).isEqualTo("p1");
    assertThat(badTopic.get("error").asText()).isEqualTo("invalid_topic");
    assertThat(badTopic.get("value").asText()).isEqualTo("orders..placed");
    assertThat(noPayload.get("message").asText()).contains("'payload' is missing");
    assertThat(notJson.get("error").asText()).isEqualTo("invalid_json");
    assertThat(unknownType.get("message").asText()).contains("unknown message type 'shout'");
    assertThat(unknownSubscription.get("error").asText()).isEqualTo("unknown_subscription");
    assertThat(fine.get("type").asText()).isEqualTo("published");
  }
}
