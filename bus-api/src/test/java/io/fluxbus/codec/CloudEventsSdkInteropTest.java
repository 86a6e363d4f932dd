package io.fluxbus.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cloudevents.CloudEvent;
import io.cloudevents.SpecVersion;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.core.format.EventFormat;
import io.cloudevents.core.provider.EventFormatProvider;
import io.cloudevents.jackson.JsonFormat;
import io.fluxbus.Event;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("EventCodec and the official CloudEvents Java SDK read each other")
class CloudEventsSdkInteropTest {

  private final EventCodec codec = EventCodec.json();
  private final EventFormat sdkFormat = EventFormatProvider.getInstance().resolveFormat(JsonFormat.CONTENT_TYPE);
  private final ObjectMapper mapper = new ObjectMapper();

  private static Event<Object> fluxbusEvent() {
    return Event.<Object>builder("order.created", Map.of("orderId", "o-1", "quantity", 2, "items", List.of("a")))
        .key("order-42").version(3).source("orders-service")
        .time(Instant.parse("2024-05-01T10:15:30.123Z"))
        .correlationId("corr-1").causationId("cause-1")
        .header("tenant", "acme").header("region", "eu1")
        .build();
  }

  @Test
  void theSdkFormatIsFoundForTheJsonContentType() {
    assertThat(sdkFormat).isNotNull();
  }

  @Test
  void theSdkReadsTheCoreAttributesWeWrite() {
    // Given
    Event<Object> event = fluxbusEvent();

    // When
    CloudEvent read = sdkFormat.deserialize(codec.encode(event));

    // Then
    assertThat(read.getSpecVersion()).isEqualTo(SpecVersion.V1);
    assertThat(read.getId()).isEqualTo(event.id());
    assertThat(read.getType()).isEqualTo("order.created");
    assertThat(read.getSource()).isEqualTo(URI.create("orders-service"));
    assertThat(read.getTime()).isNotNull();
    assertThat(read.getTime().toInstant()).isEqualTo(event.time());
    assertThat(read.getDataContentType()).isEqualTo("application/json");
  }

  @Test
  void theSdkReadsOurExtensions() {
    // When
    CloudEvent read = sdkFormat.deserialize(codec.encode(fluxbusEvent()));

    // Then
    assertThat(read.getExtension("partitionkey")).isEqualTo("order-42");
    assertThat(read.getExtension("eventversion")).isEqualTo(3);
    assertThat(read.getExtension("correlationid")).isEqualTo("corr-1");
    assertThat(read.getExtension("causationid")).isEqualTo("cause-1");
    assertThat(read.getExtension("tenant")).isEqualTo("acme");
    assertThat(read.getExtension("region")).isEqualTo("eu1");
    assertThat(read.getExtensionNames())
        .containsExactlyInAnyOrder("partitionkey", "eventversion", "correlationid", "causationid", "tenant", "region");
  }

  @Test
  void theSdkReadsOurDataAsTheSameJson() throws Exception {
    // When
    CloudEvent read = sdkFormat.deserialize(codec.encode(fluxbusEvent()));

    // Then
    assertThat(read.getData()).isNotNull();
    assertThat(mapper.readTree(read.getData().toBytes()))
        .isEqualTo(mapper.readTree("{\"orderId\":\"o-1\",\"quantity\":2,\"items\":[\"a\"]}"));
  }

  @Test
  void weDecodeWhatTheSdkBuildsAndSerializes() {
    // Given an event built and written by the SDK
    CloudEvent sdkEvent = CloudEventBuilder.v1()
        .withId("sdk-1")
        .withType("payment.captured")
        .withSource(URI.create("https://payments.example.com/api"))
        .withTime(OffsetDateTime.of(2024, 5, 1, 12, 15, 30, 0, ZoneOffset.ofHours(2)))
        .withData("application/json", "{\"amount\":12.5,\"currency\":\"EUR\"}".getBytes(StandardCharsets.UTF_8))
        .withExtension("partitionkey", "customer-9")
        .withExtension("eventversion", 2)
        .withExtension("correlationid", "corr-9")
        .withExtension("causationid", "cause-9")
        .withExtension("tenant", "acme")
        .build();
    byte[] bytes = sdkFormat.serialize(sdkEvent);

    // When
    Event<Object> decoded = codec.decode(bytes);

    // Then
    assertThat(decoded.id()).isEqualTo("sdk-1");
    assertThat(decoded.topic()).isEqualTo("payment.captured");
    assertThat(decoded.source()).isEqualTo("https://payments.example.com/api");
    assertThat(decoded.time()).isEqualTo(Instant.parse("2024-05-01T10:15:30Z"));
    assertThat(decoded.key()).isEqualTo("customer-9");
    assertThat(decoded.version()).isEqualTo(2);
    assertThat(decoded.correlationId()).isEqualTo("corr-9");
    assertThat(decoded.causationId()).isEqualTo("cause-9");
    assertThat(decoded.headers()).containsExactly(Map.entry("tenant", "acme"));
    assertThat(decoded.payload()).isEqualTo(Map.of("amount", 12.5, "currency", "EUR"));
  }

  @Test
  void weDecodeAnSdkEventWithOnlyTheRequiredAttributes() {
    // Given
    CloudEvent sdkEvent = CloudEventBuilder.v1()
        .withId("sdk-2").withType("ping").withSource(URI.create("/probe"))
        .build();

    // When
    Event<Object> decoded = codec.decode(sdkFormat.serialize(sdkEvent));

    // Then
    assertThat(decoded.id()).isEqualTo("sdk-2");
    assertThat(decoded.topic()).isEqualTo("ping");
    assertThat(decoded.version()).isEqualTo(1);
    assertThat(decoded.correlationId()).isEqualTo("sdk-2");
    assertThat(decoded.payload()).isEqualTo(Map.of());
  }

  @Test
  void anEventSurvivesATripThroughTheSdk() {
    // Given
    Event<Object> event = fluxbusEvent();

    // When we write, the SDK reads and rewrites, and we read again
    byte[] viaSdk = sdkFormat.serialize(sdkFormat.deserialize(codec.encode(event)));
    Event<Object> decoded = codec.decode(viaSdk);

    // Then
    assertThat(decoded).isEqualTo(event);
  }
}
