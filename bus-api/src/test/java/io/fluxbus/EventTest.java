package io.fluxbus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("Event: an immutable, validated event")
class EventTest {

  record OrderCreated(String orderId, int quantity, List<String> items) {}

  private static final String ID = "0190a7e2-6f1e-7c3a-9b2d-123456789abc";

  // ---- defaults ---------------------------------------------------------------------------------------------

  @Test
  void ofDefaultsVersionToOne() {
    assertThat(Event.of("order.created", Map.of()).version()).isEqualTo(1);
  }

  @Test
  void ofDefaultsCorrelationIdToTheEventsOwnId() {
    // When
    Event<String> event = Event.of("order.created", "x");

    // Then
    assertThat(event.correlationId()).isEqualTo(event.id());
  }

  @Test
  void ofStampsTheTimeAndLeavesKeySourceAndCausationEmptyAndHeadersEmpty() {
    // Given
    Instant before = Instant.now();

    // When
    Event<String> event = Event.of("order.created", "x");

    // Then
    assertThat(event.key()).isNull();
    assertThat(event.source()).isNull();
    assertThat(event.time()).isBetween(before, Instant.now());
    assertThat(event.causationId()).isNull();
    assertThat(event.headers()).isEmpty();
    assertThat(event.topic()).isEqualTo("order.created");
    assertThat(event.payload()).isEqualTo("x");
  }

  @Test
  void aNullHeaderValueInTheBuilderIsAnInvalidEvent() {
    assertThatThrownBy(() -> Event.builder("order.created", "x").header("tenant", null))
        .isInstanceOf(InvalidEventException.class)
        .hasMessageContaining("'tenant'").hasMessageContaining("null value");
  }

  @Test
  void builderSetsEveryAttribute() {
    // Given
    Instant time = Instant.parse("2024-05-01T10:15:30.123456789Z");

    // When
    Event<String> event = Event.builder("order.created", "x")
        .key("order-42").version(3).source("orders-service").time(time)
        .correlationId("corr-1").causationId("cause-1").header("tenant", "acme").header("region", "eu1")
        .build();

    // Then
    assertThat(event.key()).isEqualTo("order-42");
    assertThat(event.version()).isEqualTo(3);
    assertThat(event.source()).isEqualTo("orders-service");
    assertThat(event.time()).isEqualTo(time);
    assertThat(event.correlationId()).isEqualTo("corr-1");
    assertThat(event.causationId()).isEqualTo("cause-1");
    assertThat(event.headers()).containsExactly(Map.entry("tenant", "acme"), Map.entry("region", "eu1"));
  }

  @Test
  void causedByCopiesTheCorrelationIdAndSetsTheCausationIdToTheCausesId() {
    // Given a cause that itself continues a conversation
    Event<String> cause = Event.builder("order.created", "x").correlationId("conversation-7").build();

    // When
    Event<String> effect = Event.builder("invoice.requested", "y").causedBy(cause).build();

    // Then
    assertThat(effect.correlationId()).isEqualTo("conversation-7");
    assertThat(effect.causationId()).isEqualTo(cause.id());
    assertThat(effect.id()).isNotEqualTo(cause.id());
  }

  @Test
  void causedByAFirstEventCorrelatesWithThatEventsId() {
    // Given
    Event<String> first = Event.of("order.created", "x");

    // When
    Event<String> effect = Event.builder("invoice.requested", "y").causedBy(first).build();

    // Then
    assertThat(effect.correlationId()).isEqualTo(first.id());
  }

  @Test
  void eachBuildGivesANewId() {
    // Given
    Event.Builder<String> builder = Event.builder("order.created", "x");

    // When / Then
    assertThat(builder.build().id()).isNotEqualTo(builder.build().id());
  }

  // ---- validation -------------------------------------------------------------------------------------------

  @Test
  void rejectsANullPayloadNamingTheTopic() {
    assertThatThrownBy(() -> Event.of("order.created", null))
        .isInstanceOf(InvalidEventException.class)
        .hasMessageContaining("'order.created'")
        .hasMessageContaining("null payload");
  }

  @Test
  void rejectsVersionZero() {
    assertThatThrownBy(() -> Event.builder("order.created", "x").version(0).build())
        .isInstanceOf(InvalidEventException.class)
        .hasMessageContaining("version 0")
        .hasMessageContaining("versions start at 1");
  }

  @Test
  void rejectsANegativeVersion() {
    assertThatThrownBy(() -> Event.builder("order.created", "x").version(-1).build())
        .isInstanceOf(InvalidEventException.class)
        .hasMessageContaining("version -1");
  }

  @Test
  void rejectsAnInvalidTopic() {
    assertThatThrownBy(() -> Event.of("order..created", "x"))
        .isInstanceOf(InvalidTopicException.class)
        .hasMessageContaining("'order..created'");
  }

  @Test
  void rejectsAWildcardTopic() {
    assertThatThrownBy(() -> Event.of("order.*", "x")).isInstanceOf(InvalidTopicException.class);
  }

  @ParameterizedTest(name = "id \"{0}\"")
  @ValueSource(strings = {"", "  "})
  void rejectsABlankId(String id) {
    assertThatThrownBy(() -> new Event<>(id, "a", "x", null, 1, null, null, null, null, Map.of()))
        .isInstanceOf(InvalidEventException.class)
        .hasMessageContaining("has no id");
  }

  @ParameterizedTest(name = "header \"{0}\"")
  @ValueSource(strings = {"Tenant", "TENANT", "tenant-id", "tenant_id", "tenant.id", "tenänt", "", "abcdefghijklmnopqrstu"})
  void builderRejectsAHeaderNameThatIsNotOneTo20LowercaseLettersOrDigits(String name) {
    assertThatThrownBy(() -> Event.builder("order.created", "x").header(name, "v"))
        .isInstanceOf(InvalidEventException.class)
        .hasMessageContaining("Invalid header name '" + name + "'")
        .hasMessageContaining("1 to 20 lowercase letters and digits");
  }

  @Test
  void acceptsAHeaderNameOfExactly20Characters() {
    // Given
    String name = "abcdefghijklmnopqr19";

    // When
    Event<String> event = Event.builder("order.created", "x").header(name, "v").build();

    // Then
    assertThat(event.headers()).containsKey(name);
  }

  @ParameterizedTest(name = "reserved header \"{0}\"")
  @ValueSource(strings = {"type", "id", "source", "specversion", "time", "data", "partitionkey", "eventversion",
      "correlationid", "causationid", "datacontenttype", "subject", "dataschema"})
  void rejectsAReservedHeaderNameNamingItAndTheReservedNames(String name) {
    assertThatThrownBy(() -> Event.builder("order.created", "x").header(name, "v"))
        .isInstanceOf(InvalidEventException.class)
        .hasMessageContaining("Header name '" + name + "'")
        .hasMessageContaining("is reserved")
        .hasMessageContaining("partitionkey");
  }

  @Test
  void constructorRejectsAnInvalidHeaderNameNamingIt() {
    // Given
    Map<String, String> headers = Map.of("Tenant", "acme");

    // When / Then
    assertThatThrownBy(() -> new Event<>(ID, "a", "x", null, 1, null, null, null, null, headers))
        .isInstanceOf(InvalidEventException.class)
        .hasMessageContaining("'Tenant'");
  }

  @Test
  void constructorRejectsANullHeaderNameAsAnInvalidEvent() {
    // Given
    Map<String, String> headers = new HashMap<>();
    headers.put(null, "acme");

    // When / Then
    assertThatThrownBy(() -> new Event<>(ID, "a", "x", null, 1, null, null, null, null, headers))
        .isInstanceOf(InvalidEventException.class)
        .hasMessageContaining("'null'");
  }

  @Test
  void constructorRejectsANullHeaderValueNamingTheHeader() {
    // Given
    Map<String, String> headers = new HashMap<>();
    headers.put("tenant", null);

    // When / Then
    assertThatThrownBy(() -> new Event<>(ID, "a", "x", null, 1, null, null, null, null, headers))
        .isInstanceOf(InvalidEventException.class)
        .hasMessageContaining("'tenant'")
        .hasMessageContaining("null value");
  }

  // ---- immutability -----------------------------------------------------------------------------------------

  @Test
  void headersAreUnmodifiable() {
    // Given
    Event<String> event = Event.builder("order.created", "x").header("tenant", "acme").build();

    // When / Then
    assertThatThrownBy(() -> event.headers().put("other", "v")).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> event.headers().clear()).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void headersOfAnEventWithoutHeadersAreUnmodifiable() {
    assertThatThrownBy(() -> Event.of("a", "x").headers().put("k", "v"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void headersAreCopiedSoChangingTheCallersMapLaterChangesNothing() {
    // Given
    Map<String, String> headers = new LinkedHashMap<>(Map.of("tenant", "acme"));
    Event<String> event = new Event<>(ID, "a", "x", null, 1, null, null, null, null, headers);

    // When
    headers.put("tenant", "evil");
    headers.put("extra", "v");

    // Then
    assertThat(event.headers()).containsExactly(Map.entry("tenant", "acme"));
  }

  @Test
  void nullHeadersBecomeAnEmptyMap() {
    assertThat(new Event<>(ID, "a", "x", null, 1, null, null, null, null, null).headers()).isEmpty();
  }

  @Test
  void aBuilderKeepsBuildingIndependentEventsAfterMoreHeadersAreAdded() {
    // Given
    Event.Builder<String> builder = Event.builder("a", "x").header("one", "1");
    Event<String> first = builder.build();

    // When
    builder.header("two", "2");

    // Then
    assertThat(first.headers()).containsOnlyKeys("one");
  }

  // ---- withDefaults / withPayload ---------------------------------------------------------------------------

  @Test
  void withDefaultsFillsSourceAndTimeWhenBothAreAbsent() {
    // Given an event made through the constructor, without source and time
    Event<String> built = Event.of("a", "x");
    Event<String> event = new Event<>(built.id(), "a", "x", null, 1, null, null, null, null, null);
    Instant now = Instant.parse("2024-01-01T00:00:00Z");

    // When
    Event<String> filled = event.withDefaults("orders-service", now);

    // Then
    assertThat(filled.source()).isEqualTo("orders-service");
    assertThat(filled.time()).isEqualTo(now);
    assertThat(filled.id()).isEqualTo(event.id());
    assertThat(filled.correlationId()).isEqualTo(event.correlationId());
  }

  @Test
  void withDefaultsKeepsAGivenSourceAndFillsOnlyTheTime() {
    // Given an event made through the constructor, with a source and without a time
    Event<String> event = new Event<>("id-1", "a", "x", null, 1, "mine", null, null, null, null);
    Instant now = Instant.parse("2024-01-01T00:00:00Z");

    // When
    Event<String> filled = event.withDefaults("orders-service", now);

    // Then
    assertThat(filled.source()).isEqualTo("mine");
    assertThat(filled.time()).isEqualTo(now);
  }

  @Test
  void withDefaultsKeepsAGivenTimeAndFillsOnlyTheSource() {
    // Given
    Instant then = Instant.parse("2020-01-01T00:00:00Z");
    Event<String> event = Event.builder("a", "x").time(then).build();

    // When
    Event<String> filled = event.withDefaults("orders-service", Instant.parse("2024-01-01T00:00:00Z"));

    // Then
    assertThat(filled.time()).isEqualTo(then);
    assertThat(filled.source()).isEqualTo("orders-service");
  }

  @Test
  void withDefaultsReturnsTheSameEventWhenNothingIsMissing() {
    // Given
    Event<String> event = Event.builder("a", "x").source("mine").time(Instant.EPOCH).build();

    // When / Then
    assertThat(event.withDefaults("other", Instant.now())).isSameAs(event);
  }

  @Test
  void withPayloadKeepsEverythingElse() {
    // Given
    Event<String> event = Event.builder("a", "x").key("k").version(2).header("tenant", "acme").build();

    // When
    Event<Integer> changed = event.withPayload(42);

    // Then
    assertThat(changed.payload()).isEqualTo(42);
    assertThat(changed).usingRecursiveComparison().ignoringFields("payload").isEqualTo(event);
  }

  // ---- payloadAs --------------------------------------------------------------------------------------------

  @Test
  void payloadAsReturnsThePayloadItselfWhenItAlreadyHasTheType() {
    // Given
    OrderCreated payload = new OrderCreated("o-1", 2, List.of("apple"));
    Event<Object> event = Event.of("order.created", payload);

    // When / Then
    assertThat(event.payloadAs(OrderCreated.class)).isSameAs(payload);
  }

  @Test
  void payloadAsConvertsAMapFromTheWireToARecord() {
    // Given
    Event<Object> event = Event.of("order.created",
        Map.of("orderId", "o-1", "quantity", 2, "items", List.of("apple", "pear")));

    // When
    OrderCreated order = event.payloadAs(OrderCreated.class);

    // Then
    assertThat(order).isEqualTo(new OrderCreated("o-1", 2, List.of("apple", "pear")));
  }

  @Test
  void payloadAsConvertsARecordToAMap() {
    // Given
    Event<Object> event = Event.of("order.created", new OrderCreated("o-1", 2, List.of("apple")));

    // When
    @SuppressWarnings("unchecked")
    Map<String, Object> map = event.payloadAs(Map.class);

    // Then
    assertThat(map).containsExactlyInAnyOrderEntriesOf(
        Map.of("orderId", "o-1", "quantity", 2, "items", List.of("apple")));
  }

  @Test
  void payloadAsFailsWithACodecExceptionNamingTheTopicAndTheTargetType() {
    // Given a payload whose quantity is not a number
    Event<Object> event = Event.of("order.created", Map.of("orderId", "o-1", "quantity", "many"));

    // When / Then
    assertThatThrownBy(() -> event.payloadAs(OrderCreated.class))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("'order.created'")
        .hasMessageContaining(OrderCreated.class.getName())
        .hasMessageContaining("from java.util.");
  }
}
