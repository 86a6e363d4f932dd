package io.fluxbus.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("payloads: what is accepted is delivered as it was sent")
class GatewayPayloadTest {

  private Gateway gateway;
  private GatewayClient client;

  @BeforeEach
  void start() {
    gateway = Gateway.start(TestGateways.settings().withMaxBodyBytes(64 * 1024)).block(GatewayClient.TIMEOUT);
    client = new GatewayClient(gateway);
  }

  @AfterEach
  void stop() {
    gateway.stop().block(GatewayClient.TIMEOUT);
  }

  private static String nested(int depth) {
    return "[".repeat(depth) + "]".repeat(depth);
  }

  /** Catches the old rule (Jackson's 1000 at read): 1000 levels were accepted, then skipped by every stream. */
  @Test
  @DisplayName("a payload nested past the limit is a 400 over HTTP and WebSocket, before it reaches the bus")
  void tooDeepIsRefusedAtPublish() {
    GatewayClient.Answer http = client.post("/events/deep.one", nested(1000));
    JsonNode socketAnswer;
    try (SocketTestClient socket = new SocketTestClient("ws://127.0.0.1:" + gateway.port() + "/ws")) {
      socket.send("{\"type\":\"publish\",\"id\":\"p\",\"topic\":\"deep.one\",\"payload\":"
          + nested(Inputs.MAX_DEPTH + 1) + "}");
      socketAnswer = socket.next(GatewayClient.TIMEOUT);
    }

    assertThat(http.status()).isEqualTo(400);
    assertThat(http.json().get("error").asText()).isEqualTo("payload_too_deep");
    assertThat(socketAnswer.get("error").asText()).isEqualTo("payload_too_deep");
    assertThat(gateway.bus().stats().published()).isZero();
  }

  /** Catches a limit that leaves no room for the envelope: the event would come as a "skipped" comment. */
  @Test
  @DisplayName("a payload nested exactly to the limit reaches a stream and a socket as an event")
  void payloadAtTheLimitIsDelivered() {
    try (RecordedStream stream = client.record("/events/deep.%23").awaitReady();
         SocketTestClient socket = new SocketTestClient("ws://127.0.0.1:" + gateway.port() + "/ws")) {
      socket.send("{\"type\":\"subscribe\",\"id\":\"s\",\"pattern\":\"deep.#\"}");
      assertThat(socket.next(GatewayClient.TIMEOUT).get("type").asText()).isEqualTo("subscribed");

      GatewayClient.Answer answer = client.post("/events/deep.one", nested(Inputs.MAX_DEPTH));

      assertThat(answer.status()).isEqualTo(202);
      assertThat(stream.awaitEvents(1).get(0).json().get("data").toString()).isEqualTo(nested(Inputs.MAX_DEPTH));
      assertThat(socket.next(GatewayClient.TIMEOUT).get("event").get("data").toString())
          .isEqualTo(nested(Inputs.MAX_DEPTH));
    }
  }

  /** Catches reading numbers as doubles: 1e400 became the string "Infinity", long decimals were rounded. */
  @Test
  @DisplayName("numbers reach a stream exactly as they were written, however large or precise")
  void numbersAreCarriedExactly() {
    String body = "{\"huge\":1E+400,\"precise\":0.1000000000000000055511151231257827,\"big\":"
        + "123456789012345678901234567890}";
    try (RecordedStream stream = client.record("/events/numbers.%23").awaitReady()) {

      GatewayClient.Answer answer = client.post("/events/numbers.one", body);

      assertThat(answer.status()).isEqualTo(202);
      assertThat(stream.awaitEvents(1).get(0).data()).contains("\"data\":" + body);
    }
  }

  /** Catches the default of keeping the last of two equal keys, which loses the first silently. */
  @Test
  @DisplayName("a key given twice in one object is a 400, over HTTP and WebSocket")
  void duplicateKeysAre400() {
    GatewayClient.Answer http = client.post("/events/orders.placed", "{\"a\":{\"x\":1,\"x\":2}}");
    JsonNode socketAnswer;
    try (SocketTestClient socket = new SocketTestClient("ws://127.0.0.1:" + gateway.port() + "/ws")) {
      socket.send("{\"type\":\"publish\",\"id\":\"p\",\"topic\":\"orders.placed\",\"payload\":{\"x\":1,\"x\":2}}");
      socketAnswer = socket.next(GatewayClient.TIMEOUT);
    }

    assertThat(http.status()).isEqualTo(400);
    assertThat(http.json().get("error").asText()).isEqualTo("invalid_json");
    assertThat(http.json().get("message").asText()).contains("Duplicate field 'x'");
    assertThat(socketAnswer.get("error").asText()).isEqualTo("invalid_json");
    assertThat(gateway.bus().stats().published()).isZero();
  }

  /** Catches ignoring the Content-Type: text, images and XML were published as JSON payloads. */
  @Test
  @DisplayName("a body that is not JSON by its Content-Type is a 415")
  void nonJsonIs415() {
    for (String type : new String[] {"text/plain", "image/png", "application/xml"}) {
      GatewayClient.Answer answer = client.send(java.net.http.HttpRequest.newBuilder(
              java.net.URI.create(client.url("/events/orders.placed")))
          .header("Content-Type", type).POST(java.net.http.HttpRequest.BodyPublishers.ofString("{}")));

      assertThat(answer.status()).as(type).isEqualTo(415);
      assertThat(answer.json().get("error").asText()).isEqualTo("unsupported_media_type");
    }
    assertThat(gateway.bus().stats().published()).isZero();
  }

  /** Catches wrapping a posted CloudEvent inside a new one, which lost its id, source and extensions. */
  @Test
  @DisplayName("a structured CloudEvent is published as itself, keeping its id, source and extensions")
  void structuredCloudEventIsTheEvent() {
    String cloudEvent = "{\"specversion\":\"1.0\",\"id\":\"ce-42\",\"source\":\"urn:shop\","
        + "\"type\":\"orders.placed\",\"partitionkey\":\"c-7\",\"tenant\":\"acme\",\"data\":{\"total\":42.10}}";
    try (RecordedStream stream = client.record("/events/orders.%23").awaitReady()) {

      GatewayClient.Answer answer = client.send(java.net.http.HttpRequest.newBuilder(
              java.net.URI.create(client.url("/events/orders.placed")))
          .header("Content-Type", "application/cloudevents+json")
          .POST(java.net.http.HttpRequest.BodyPublishers.ofString(cloudEvent)));

      assertThat(answer.status()).isEqualTo(202);
      assertThat(answer.json().get("eventId").asText()).isEqualTo("ce-42");
      JsonNode delivered = stream.awaitEvents(1).get(0).json();
      assertThat(delivered.get("id").asText()).isEqualTo("ce-42");
      assertThat(delivered.get("source").asText()).isEqualTo("urn:shop");
      assertThat(delivered.get("partitionkey").asText()).isEqualTo("c-7");
      assertThat(delivered.get("tenant").asText()).isEqualTo("acme");
      assertThat(delivered.get("data").get("total").decimalValue()).isEqualByComparingTo("42.10");
      assertThat(delivered.has("specversion") && !delivered.get("data").has("specversion")).isTrue();
    }
  }
}
