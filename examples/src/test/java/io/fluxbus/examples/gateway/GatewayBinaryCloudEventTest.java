package io.fluxbus.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.http.HttpMessageFactory;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Binary content mode. Each test but the last catches the old gateway, which ignored {@code ce-} headers and
 * published the body as a new event; the last guards that the data is still read as any payload is.
 */
@DisplayName("POST /events/{topic} with a CloudEvent in HTTP binary mode (ce- headers)")
class GatewayBinaryCloudEventTest {

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

  /** A request with the given headers (name, value, …) and body, Content-Type: application/json unless given. */
  private GatewayClient.Answer post(String topic, String body, String... headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(client.url("/events/" + topic)))
        .POST(HttpRequest.BodyPublishers.ofString(body));
    boolean typed = false;
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
      typed |= headers[i].equalsIgnoreCase("Content-Type");
    }
    if (!typed) {
      request.header("Content-Type", "application/json");
    }
    return client.send(request);
  }

  private static final String[] REQUIRED = {"ce-specversion", "1.0", "ce-id", "ce-1", "ce-source", "urn:shop",
      "ce-type", "orders.placed"};

  private static String[] with(String[] base, String... more) {
    String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
    System.arraycopy(more, 0, all, base.length, more.length);
    return all;
  }

  @Test
  @DisplayName("an event written by the CloudEvents SDK's HTTP binding is published as itself: id, source, time, "
      + "key and extensions kept, numbers exact")
  void sdkWrittenEventIsPublishedAsItself() {
    CloudEvent event = CloudEventBuilder.v1()
        .withId("ce-77")
        .withSource(URI.create("urn:shop"))
        .withType("orders.placed")
        .withTime(OffsetDateTime.parse("2026-01-02T03:04:05.678Z"))
        .withSubject("order-7")
        .withExtension("partitionkey", "c-7")
        .withExtension("tenant", "acme")
        .withData("application/json", "{\"total\":42.10,\"huge\":1e400}".getBytes(StandardCharsets.UTF_8))
        .build();
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(client.url("/events/orders.placed")));
    AtomicReference<byte[]> body = new AtomicReference<>();
    HttpMessageFactory.createWriter(request::header, body::set).writeBinary(event);
    request.POST(HttpRequest.BodyPublishers.ofByteArray(body.get()));

    try (RecordedStream stream = client.record("/events/orders.%23").awaitReady()) {
      GatewayClient.Answer answer = client.send(request);

      assertThat(answer.status()).as(answer.body()).isEqualTo(202);
      assertThat(answer.json().get("eventId").asText()).isEqualTo("ce-77");
      JsonNode delivered = stream.awaitEvents(1).get(0).json();
      assertThat(delivered.get("id").asText()).isEqualTo("ce-77");
      assertThat(delivered.get("source").asText()).isEqualTo("urn:shop");
      assertThat(delivered.get("type").asText()).isEqualTo("orders.placed");
      assertThat(delivered.get("time").asText()).isEqualTo("2026-01-02T03:04:05.678Z");
      assertThat(delivered.get("partitionkey").asText()).isEqualTo("c-7");
      assertThat(delivered.get("tenant").asText()).isEqualTo("acme");
      assertThat(delivered.get("data").get("total").decimalValue()).isEqualByComparingTo("42.10");
      assertThat(stream.events().get(0).data()).contains("1E+400");
    }
  }

  @Test
  @DisplayName("extension header names are case-insensitive and values percent-decoded as UTF-8")
  void headerNamesAndValuesFollowTheBinding() {
    try (RecordedStream stream = client.record("/events/orders.%23").awaitReady()) {
      GatewayClient.Answer answer = post("orders.placed", "{}", with(REQUIRED, "CE-Tenant", "caf%C3%A9 %25 \"x\"",
          "ce-eventversion", "3", "ce-correlationid", "conv-9"));

      assertThat(answer.status()).as(answer.body()).isEqualTo(202);
      JsonNode delivered = stream.awaitEvents(1).get(0).json();
      assertThat(delivered.get("tenant").asText()).isEqualTo("café % \"x\"");
      assertThat(delivered.get("eventversion").asInt()).isEqualTo(3);
      assertThat(delivered.get("correlationid").asText()).isEqualTo("conv-9");
    }
  }

  @Test
  @DisplayName("each missing required attribute is a 400 naming its header; nothing is published")
  void missingRequiredAttributeIs400() {
    for (int drop = 0; drop < REQUIRED.length; drop += 2) {
      String[] headers = new String[REQUIRED.length - 2];
      for (int i = 0, j = 0; i < REQUIRED.length; i += 2) {
        if (i != drop) {
          headers[j++] = REQUIRED[i];
          headers[j++] = REQUIRED[i + 1];
        }
      }

      GatewayClient.Answer answer = post("orders.placed", "{}", headers);

      assertThat(answer.status()).isEqualTo(400);
      assertThat(answer.contentType()).startsWith("application/json");
      assertThat(answer.json().get("error").asText()).isEqualTo("invalid_cloudevent");
      assertThat(answer.json().get("message").asText()).contains("'" + REQUIRED[drop] + "'", "missing");
    }
    assertThat(gateway.bus().stats().published()).isZero();
  }

  @Test
  @DisplayName("a spec version other than 1.0 is a 400 naming ce-specversion")
  void otherSpecVersionIs400() {
    String[] headers = REQUIRED.clone();
    headers[1] = "0.3";

    GatewayClient.Answer answer = post("orders.placed", "{}", headers);

    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.json().get("message").asText()).contains("ce-specversion", "0.3");
  }

  @Test
  @DisplayName("an extension name that breaks the header rules is a 400 naming it")
  void badExtensionNameIs400() {
    for (String name : new String[] {"ce-my_ext", "ce-averyveryverylongextension", "ce-data"}) {
      GatewayClient.Answer answer = post("orders.placed", "{}", with(REQUIRED, name, "x"));

      assertThat(answer.status()).as(name).isEqualTo(400);
      assertThat(answer.json().get("error").asText()).isEqualTo("invalid_cloudevent");
      assertThat(answer.json().get("message").asText()).contains(name.substring(3));
    }
    assertThat(gateway.bus().stats().published()).isZero();
  }

  @Test
  @DisplayName("a type that is not the path's topic, a bad time or a bad escape is a 400 naming the header")
  void badAttributeValuesAre400() {
    String[] otherType = REQUIRED.clone();
    otherType[7] = "orders.shipped";

    assertThat(post("orders.placed", "{}", otherType).json().get("message").asText()).contains("ce-type",
        "orders.shipped");
    assertThat(post("orders.placed", "{}", with(REQUIRED, "ce-time", "yesterday")).json().get("message").asText())
        .contains("ce-time", "yesterday");
    assertThat(post("orders.placed", "{}", with(REQUIRED, "ce-tenant", "100%")).json().get("message").asText())
        .contains("ce-tenant", "%");
    assertThat(post("orders.placed", "{}", with(REQUIRED, "ce-eventversion", "zero")).status()).isEqualTo(400);
    assertThat(gateway.bus().stats().published()).isZero();
  }

  @Test
  @DisplayName("the data is a payload like any other: not JSON is a 415, bad JSON a 400")
  void dataFollowsThePayloadRules() {
    assertThat(post("orders.placed", "hello", with(REQUIRED, "Content-Type", "text/plain")).status())
        .isEqualTo(415);
    assertThat(post("orders.placed", "{\"a\":1,\"a\":2}", REQUIRED).json().get("error").asText())
        .isEqualTo("invalid_json");
    assertThat(gateway.bus().stats().published()).isZero();
  }

  /**
   * Catches attribute values read with their control characters (checked by dropping the check): a percent-encoded
   * line break in ce-id went into the event's id and, written as an SSE {@code id:} field, forged a message to every
   * subscriber; a JSON "\n" in a structured event's id did the same.
   */
  @Test
  @DisplayName("a control character in an attribute value (binary %0A, structured \\n) is a 400 naming the attribute")
  void controlCharactersInAttributesAre400() {
    String[] forged = REQUIRED.clone();
    forged[3] = "x%0Adata:%20%7B%7D%0A%0A";
    GatewayClient.Answer binary = post("orders.placed", "{}", forged);
    assertThat(binary.status()).isEqualTo(400);
    assertThat(binary.json().get("error").asText()).isEqualTo("invalid_cloudevent");
    assertThat(binary.json().get("message").asText()).contains("ce-id", "U+000A");
    assertThat(post("orders.placed", "{}", with(REQUIRED, "ce-tenant", "a%00b")).json().get("message").asText())
        .contains("ce-tenant", "U+0000");

    GatewayClient.Answer structured = post("orders.placed", "{\"specversion\":\"1.0\",\"id\":\"x\\ndata: {}\","
        + "\"source\":\"urn:shop\",\"type\":\"orders.placed\",\"data\":{}}",
        "Content-Type", "application/cloudevents+json");
    assertThat(structured.status()).isEqualTo(400);
    assertThat(structured.json().get("error").asText()).isEqualTo("invalid_cloudevent");
    assertThat(structured.json().get("message").asText()).contains("'id'");
    assertThat(gateway.bus().stats().published()).isZero();
  }

  /**
   * Catches ce-partitionkey, ce-correlationid and ce-causationid taken as they came (checked by reading them
   * unchecked again), while their Fluxbus- headers are held to 1 to 200 characters, and a ce-time without seconds
   * (which OffsetDateTime reads) taken though RFC 3339 requires them.
   */
  @Test
  @DisplayName("a blank or over-long key, correlation or causation id, or a time without seconds, is a 400 naming it")
  void fluxbusAttributesFollowTheHeaderRules() {
    assertThat(post("orders.placed", "{}", with(REQUIRED, "ce-partitionkey", "%20%20")).json().get("message")
        .asText()).contains("ce-partitionkey");
    assertThat(post("orders.placed", "{}", with(REQUIRED, "ce-correlationid", "c".repeat(201))).json()
        .get("message").asText()).contains("ce-correlationid", "200");
    assertThat(post("orders.placed", "{}", with(REQUIRED, "ce-causationid", "%20")).json().get("error").asText())
        .isEqualTo("invalid_cloudevent");
    assertThat(post("orders.placed", "{}", with(REQUIRED, "ce-time", "2026-12-03T10:15Z")).json().get("message")
        .asText()).contains("ce-time", "seconds");
    assertThat(gateway.bus().stats().published()).isZero();
    assertThat(post("orders.placed", "{}", with(REQUIRED, "ce-time", "2026-12-03t10:15:30.5z", "ce-partitionkey",
        "k".repeat(200))).status()).isEqualTo(202);
  }
}
