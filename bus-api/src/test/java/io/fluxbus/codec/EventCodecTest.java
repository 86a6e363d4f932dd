package io.fluxbus.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fluxbus.CodecException;
import io.fluxbus.Event;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("EventCodec: CloudEvents 1.0 JSON, structured mode")
class EventCodecTest {

  record OrderCreated(String orderId, int quantity) {}

  private final EventCodec codec = EventCodec.json();
  private final ObjectMapper mapper = new ObjectMapper();

  private static Event<Object> fullEvent() {
    return Event.<Object>builder("order.created", Map.of("orderId", "o-1", "quantity", 2, "items",
            List.of("apple", "pear"), "paid", true))
        .key("order-42").version(3).source("orders-service")
        .time(Instant.parse("2024-05-01T10:15:30.123456789Z"))
        .correlationId("corr-1").causationId("cause-1")
        .header("tenant", "acme").header("region", "eu1")
        .build();
  }

  /** A minimal valid document, to break one attribute at a time. */
  private ObjectNode validDocument() {
    ObjectNode node = mapper.createObjectNode();
    node.put("specversion", "1.0");
    node.put("id", "id-1");
    node.put("source", "orders-service");
    node.put("type", "order.created");
    node.putObject("data").put("orderId", "o-1");
    return node;
  }

  private Event<Object> decode(JsonNode node) {
    return codec.decode(node.toString());
  }

  // ---- round trip -------------------------------------------------------------------------------------------

  @Test
  void roundTripKeepsEveryField() {
    // Given
    Event<Object> event = fullEvent();

    // When
    Event<Object> decoded = codec.decode(codec.encode(event));

    // Then
    assertThat(decoded).isEqualTo(event);
  }

  @Test
  void roundTripKeepsHeaderOrder() {
    // Given
    Event<Object> event = fullEvent();

    // When
    Event<Object> decoded = codec.decode(codec.encodeToString(event));

    // Then
    assertThat(decoded.headers()).containsExactly(Map.entry("tenant", "acme"), Map.entry("region", "eu1"));
  }

  @Test
  void roundTripOfARecordPayloadGivesAMapThatConvertsBackToTheRecord() {
    // Given
    Event<Object> event = Event.builder("order.created", (Object) new OrderCreated("o-1", 2)).source("s").build();

    // When
    Event<Object> decoded = codec.decode(codec.encode(event));

    // Then
    assertThat(decoded.payload()).isEqualTo(Map.of("orderId", "o-1", "quantity", 2));
    assertThat(decoded.payloadAs(OrderCreated.class)).isEqualTo(new OrderCreated("o-1", 2));
  }

  @Test
  void roundTripWithoutOptionalAttributesLeavesThemAbsent() {
    // Given
    Event<Object> event = new Event<>("id-1", "a.b", "text", null, 1, "s", null, null, null, null);

    // When
    Event<Object> decoded = codec.decode(codec.encode(event));

    // Then
    assertThat(decoded.key()).isNull();
    assertThat(decoded.time()).isNull();
    assertThat(decoded.causationId()).isNull();
    assertThat(decoded.headers()).isEmpty();
    assertThat(decoded.correlationId()).isEqualTo(event.id());
    assertThat(decoded.payload()).isEqualTo("text");
  }

  @Test
  void decodeOfBytesAndOfStringAgree() {
    // Given
    Event<Object> event = fullEvent();

    // When / Then
    assertThat(codec.decode(codec.encodeToString(event))).isEqualTo(codec.decode(codec.encode(event)));
  }

  // ---- what is written --------------------------------------------------------------------------------------

  @Test
  void writesTheCloudEventsAttributesAndExtensions() throws Exception {
    // When
    JsonNode json = mapper.readTree(codec.encode(fullEvent()));

    // Then
    assertThat(json.get("specversion").asText()).isEqualTo("1.0");
    assertThat(json.get("type").asText()).isEqualTo("order.created");
    assertThat(json.get("source").asText()).isEqualTo("orders-service");
    assertThat(json.get("time").asText()).isEqualTo("2024-05-01T10:15:30.123456789Z");
    assertThat(json.get("datacontenttype").asText()).isEqualTo("application/json");
    assertThat(json.get("partitionkey").asText()).isEqualTo("order-42");
    assertThat(json.get("eventversion").isInt()).isTrue();
    assertThat(json.get("eventversion").intValue()).isEqualTo(3);
    assertThat(json.get("correlationid").asText()).isEqualTo("corr-1");
    assertThat(json.get("causationid").asText()).isEqualTo("cause-1");
    assertThat(json.get("tenant").asText()).isEqualTo("acme");
    assertThat(json.get("data").isObject()).as("data is embedded JSON, not a string").isTrue();
    assertThat(json.get("data").get("quantity").intValue()).isEqualTo(2);
  }

  @Test
  void omitsAbsentOptionalAttributes() throws Exception {
    // When
    JsonNode json = mapper.readTree(codec.encode(new Event<>("id-1", "a", "x", null, 1, null, null, null, null,
        null)));

    // Then
    assertThat(json.has("time")).isFalse();
    assertThat(json.has("partitionkey")).isFalse();
    assertThat(json.has("causationid")).isFalse();
  }

  @Test
  void aNullExtensionIsNotReadAsAHeader() {
    // Given
    String json = "{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"s\",\"type\":\"a\",\"tenant\":null,"
        + "\"region\":\"eu\",\"data\":{}}";

    // When
    Event<Object> decoded = codec.decode(json);

    // Then
    assertThat(decoded.headers()).containsExactly(java.util.Map.entry("region", "eu"));
  }

  @Test
  void writesADefaultSourceWhenTheEventHasNone() throws Exception {
    // When
    JsonNode json = mapper.readTree(codec.encode(Event.of("a", "x")));

    // Then the attribute is required by CloudEvents, so it is never left out
    assertThat(json.get("source").asText()).isEqualTo("fluxbus");
  }

  @Test
  void encodeFailsWithACodecExceptionNamingTheTopicAndPayloadType() {
    // Given a payload Jackson cannot write (no properties)
    Event<Object> event = Event.of("order.created", new Object());

    // When / Then
    assertThatThrownBy(() -> codec.encode(event))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("'order.created'")
        .hasMessageContaining("java.lang.Object");
  }

  // ---- decoding what others write ---------------------------------------------------------------------------

  @Test
  void decodesUnknownExtensionsAsHeaders() {
    // Given
    ObjectNode node = validDocument();
    node.put("tenant", "acme");
    node.put("retries", 3);
    node.put("sampled", true);

    // When
    Event<Object> event = decode(node);

    // Then
    assertThat(event.headers()).containsExactly(
        Map.entry("tenant", "acme"), Map.entry("retries", "3"), Map.entry("sampled", "true"));
  }

  @Test
  void decodesAMissingCorrelationIdAsTheEventsOwnIdAndAMissingVersionAsOne() {
    // When
    Event<Object> event = decode(validDocument());

    // Then
    assertThat(event.correlationId()).isEqualTo("id-1");
    assertThat(event.version()).isEqualTo(1);
  }

  @Test
  void decodesAnEventVersionWrittenAsAString() {
    // Given
    ObjectNode node = validDocument();
    node.put("eventversion", "4");

    // When / Then
    assertThat(decode(node).version()).isEqualTo(4);
  }

  @Test
  void decodesATimeWithAnOffsetAsTheSameInstant() {
    // Given
    ObjectNode node = validDocument();
    node.put("time", "2024-05-01T12:15:30+02:00");

    // When / Then
    assertThat(decode(node).time()).isEqualTo(Instant.parse("2024-05-01T10:15:30Z"));
  }

  @Test
  void decodesMissingDataAsAnEmptyMap() {
    // Given
    ObjectNode node = validDocument();
    node.remove("data");

    // When / Then
    assertThat(decode(node).payload()).isEqualTo(Map.of());
  }

  @Test
  void decodesBase64DataAsBytes() {
    // Given
    ObjectNode node = validDocument();
    node.remove("data");
    node.put("data_base64", "aGVsbG8=");

    // When / Then
    assertThat(decode(node).payload()).isEqualTo("hello".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void ignoresSubjectAndDataschemaRatherThanTurningThemIntoHeaders() {
    // Given
    ObjectNode node = validDocument();
    node.put("subject", "o-1");
    node.put("dataschema", "https://example.com/schema");

    // When / Then
    assertThat(decode(node).headers()).isEmpty();
  }

  // ---- decode errors ----------------------------------------------------------------------------------------

  @Test
  void rejectsTextThatIsNotJson() {
    assertThatThrownBy(() -> codec.decode("this is not json"))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("not valid JSON");
  }

  @Test
  void rejectsJsonThatIsNotAnObject() {
    assertThatThrownBy(() -> codec.decode("[1, 2]"))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("expected a JSON object")
        .hasMessageContaining("ARRAY");
  }

  @ParameterizedTest(name = "missing \"{0}\"")
  @ValueSource(strings = {"id", "type", "source", "specversion"})
  void rejectsAMissingRequiredAttributeNamingIt(String attribute) {
    // Given
    ObjectNode node = validDocument();
    node.remove(attribute);

    // When / Then
    assertThatThrownBy(() -> decode(node))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("required attribute '" + attribute + "' is missing");
  }

  @ParameterizedTest(name = "null \"{0}\"")
  @ValueSource(strings = {"id", "type", "source", "specversion"})
  void rejectsANullRequiredAttributeNamingIt(String attribute) {
    // Given
    ObjectNode node = validDocument();
    node.putNull(attribute);

    // When / Then
    assertThatThrownBy(() -> decode(node))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("'" + attribute + "'");
  }

  @Test
  void rejectsAnAttributeThatIsNotAStringNamingIt() {
    // Given
    ObjectNode node = validDocument();
    node.put("id", 42);

    // When / Then
    assertThatThrownBy(() -> decode(node))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("attribute 'id' must be a string")
        .hasMessageContaining("42");
  }

  @ParameterizedTest(name = "specversion \"{0}\"")
  @ValueSource(strings = {"0.3", "2.0", "1"})
  void rejectsASpecversionOtherThan1Point0(String specversion) {
    // Given
    ObjectNode node = validDocument();
    node.put("specversion", specversion);

    // When / Then
    assertThatThrownBy(() -> decode(node))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("specversion '" + specversion + "'")
        .hasMessageContaining("only 1.0");
  }

  @ParameterizedTest(name = "time \"{0}\"")
  @ValueSource(strings = {"yesterday", "2024-05-01", "2024-05-01T10:15:30", "2024-13-01T10:15:30Z"})
  void rejectsATimeThatIsNotRfc3339NamingTheAttributeAndValue(String time) {
    // Given
    ObjectNode node = validDocument();
    node.put("time", time);

    // When / Then
    assertThatThrownBy(() -> decode(node))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("attribute 'time'")
        .hasMessageContaining("'" + time + "'");
  }

  @ParameterizedTest(name = "eventversion {0}")
  @ValueSource(strings = {"\"abc\"", "1.5", "0", "-1", "\"0\"", "\"-2\"", "true", "{}", "99999999999"})
  void rejectsAnEventversionThatIsNotAPositiveIntegerNamingTheAttribute(String json) throws Exception {
    // Given
    ObjectNode node = validDocument();
    node.set("eventversion", mapper.readTree(json));

    // When / Then
    assertThatThrownBy(() -> decode(node))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("attribute 'eventversion' must be a positive integer");
  }

  @Test
  void rejectsATypeThatIsNotAValidTopicNamingTheEvent() {
    // Given
    ObjectNode node = validDocument();
    node.put("type", "order created");

    // When / Then
    assertThatThrownBy(() -> decode(node))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("'id-1'")
        .hasMessageContaining("'order created'");
  }

  @Test
  void rejectsAnExtensionWhoseNameCannotBeAHeader() {
    // Given
    ObjectNode node = validDocument();
    node.put("Tenant", "acme");

    // When / Then
    assertThatThrownBy(() -> decode(node))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("'Tenant'");
  }

  // ---- conversion -------------------------------------------------------------------------------------------

  @Test
  void convertFailsWithACodecExceptionNamingTopicSourceAndTargetTypes() {
    assertThatThrownBy(() -> codec.convert("not a number", Integer.class, "order.created"))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("'order.created'")
        .hasMessageContaining("java.lang.String")
        .hasMessageContaining("java.lang.Integer");
  }

  @Test
  void usingRejectsANullMapper() {
    assertThatNullPointerException().isThrownBy(() -> EventCodec.using(null)).withMessageContaining("mapper");
  }

  @Test
  void usingKeepsTheCallersMapper() {
    // Given
    ObjectMapper custom = new ObjectMapper();

    // When / Then
    assertThat(EventCodec.using(custom).mapper()).isSameAs(custom);
  }
}
