package io.fluxbus.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxbus.Event;
import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;

@DisplayName("POST /events/{topic}")
class GatewayPublishTest {

  private Gateway gateway;
  private GatewayClient client;

  @BeforeEach
  void start() {
    gateway = TestGateways.start();
    client = new GatewayClient(gateway);
  }

  @AfterEach
  void stop() {
    gateway.stop().block(GatewayClient.TIMEOUT);
  }

  @Test
  @DisplayName("publishes the JSON body with the key, version and correlation id headers and answers 202 with the result")
  void publishesAndAnswers202() {
    AtomicReference<Event<Object>> received = new AtomicReference<>();
    Disposable subscription = gateway.bus().subscribe("orders.placed").subscribe(received::set);

    GatewayClient.Answer answer = client.post("/events/orders.placed", "{\"id\": 7, \"total\": 42.5}",
        "Fluxbus-Key", "customer-7", "Fluxbus-Version", "2", "Fluxbus-Correlation-Id", "checkout-1");

    subscription.dispose();
    // a sync subscriber has taken the event before publish completes, so before the answer
    Event<Object> event = received.get();
    assertThat(answer.status()).isEqualTo(202);
    assertThat(answer.json().get("eventId").asText()).isEqualTo(event.id());
    assertThat(answer.json().get("delivered").asInt()).isEqualTo(1);
    assertThat(answer.json().get("dropped").asInt()).isZero();
    // numbers with a fraction are read as BigDecimal, so they are carried exactly
    assertThat(event.payload()).isEqualTo(Map.of("id", 7, "total", new BigDecimal("42.5")));
    assertThat(event).extracting(Event::key, Event::version, Event::correlationId, Event::source)
        .containsExactly("customer-7", 2, "checkout-1", "fluxbus-gateway");
  }

  @Test
  @DisplayName("a topic that breaks the topic rules is a 400 naming the topic")
  void badTopicIs400() {
    GatewayClient.Answer answer = client.post("/events/orders..placed", "{}");

    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.contentType()).startsWith("application/json");
    assertThat(answer.json().get("error").asText()).isEqualTo("invalid_topic");
    assertThat(answer.json().get("value").asText()).isEqualTo("orders..placed");
    assertThat(answer.json().get("message").asText()).contains("'orders..placed'", "empty segment");
  }

  /** Catches echoing the whole input in the message: a 3,000-character topic made a 3.4 KB error. */
  @Test
  @DisplayName("an error quotes at most 200 characters of the input, in the value and in the message")
  void errorsCapWhatTheyEcho() {
    String topic = "a".repeat(3000);

    GatewayClient.Answer answer = client.post("/events/" + topic, "{}");

    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.body().length()).isLessThan(1000);
    assertThat(answer.json().get("value").asText()).isEqualTo("a".repeat(200) + "…");
    assertThat(answer.json().get("message").asText()).contains("'" + "a".repeat(200) + "…'", "3000 characters");
  }

  @Test
  @DisplayName("a wildcard in a published topic is a 400: patterns are for subscribing")
  void wildcardTopicIs400() {
    GatewayClient.Answer answer = client.post("/events/orders.%2A", "{}");

    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.json().get("value").asText()).isEqualTo("orders.*");
  }

  @Test
  @DisplayName("a body that is not JSON is a 400 naming the parse error and where it is")
  void badJsonIs400() {
    GatewayClient.Answer answer = client.post("/events/orders.placed", "{\"id\": 7,");

    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.json().get("error").asText()).isEqualTo("invalid_json");
    assertThat(answer.json().get("message").asText()).contains("not valid JSON", "line 1");
    assertThat(answer.json().get("value").asText()).isEqualTo("{\"id\": 7,");
  }

  @Test
  @DisplayName("trailing text after the JSON value, an empty body and JSON null are 400s")
  void incompleteBodiesAre400() {
    assertThat(client.post("/events/orders.placed", "{} {}").json().get("error").asText()).isEqualTo("invalid_json");
    assertThat(client.post("/events/orders.placed", "").json().get("error").asText()).isEqualTo("empty_body");
    assertThat(client.post("/events/orders.placed", "null").json().get("error").asText()).isEqualTo("invalid_json");
  }

  @Test
  @DisplayName("a version header that is not a whole number from 1 is a 400 naming the header and value")
  void badVersionIs400() {
    GatewayClient.Answer answer = client.post("/events/orders.placed", "{}", "Fluxbus-Version", "0");

    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.json().get("error").asText()).isEqualTo("invalid_version");
    assertThat(answer.json().get("message").asText()).contains("Fluxbus-Version", "'0'");
  }

  @Test
  @DisplayName("a body declared over the limit is a 413 before it is read")
  void declaredBodyOverTheLimitIs413() {
    GatewayClient.Answer answer = client.post("/events/orders.placed", "\"" + "x".repeat(TestGateways.MAX_BODY) + "\"");

    assertThat(answer.status()).isEqualTo(413);
    assertThat(answer.json().get("error").asText()).isEqualTo("body_too_large");
    assertThat(answer.json().get("message").asText()).contains("limit is " + TestGateways.MAX_BODY + " bytes");
    assertThat(gateway.bus().stats().published()).isZero();
  }

  @Test
  @DisplayName("a chunked body that grows over the limit is a 413")
  void chunkedBodyOverTheLimitIs413() {
    byte[] body = ("\"" + "x".repeat(TestGateways.MAX_BODY) + "\"").getBytes();
    GatewayClient.Answer answer = client.send(HttpRequest.newBuilder(URI.create(client.url("/events/orders.placed")))
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))));

    assertThat(answer.status()).isEqualTo(413);
    assertThat(answer.json().get("message").asText()).contains("more than " + TestGateways.MAX_BODY + " bytes sent");
  }

  @Test
  @DisplayName("a body at the limit is accepted")
  void bodyAtTheLimitIsAccepted() {
    String body = "\"" + "x".repeat(TestGateways.MAX_BODY - 2) + "\"";

    assertThat(client.post("/events/orders.placed", body).status()).isEqualTo(202);
  }

  @Test
  @DisplayName("while the bus is stopped a publish is a 503 saying so")
  void stoppedBusIs503() {
    gateway.bus().stop().block(GatewayClient.TIMEOUT);

    GatewayClient.Answer answer = client.post("/events/orders.placed", "{}");

    assertThat(answer.status()).isEqualTo(503);
    assertThat(answer.json().get("error").asText()).isEqualTo("bus_stopped");
  }

  @Test
  @DisplayName("an unknown path is a 404 listing the endpoints")
  void unknownPathIs404() {
    GatewayClient.Answer answer = client.get("/event/orders.placed");

    assertThat(answer.status()).isEqualTo(404);
    assertThat(answer.json().get("message").asText()).contains("POST /events/{topic}");
  }
}
