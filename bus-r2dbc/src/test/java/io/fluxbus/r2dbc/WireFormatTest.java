package io.fluxbus.r2dbc;

import static io.fluxbus.r2dbc.TestBuses.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.provider.EventFormatProvider;
import io.cloudevents.jackson.JsonFormat;
import io.fluxbus.Event;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** What the log stores is CloudEvents 1.0 JSON that the official SDK reads. */
@DisplayName("Stored events are CloudEvents the official SDK reads")
class WireFormatTest {

  private static final String SCHEMA = PostgresTestServer.freshSchema("wire");

  @AfterAll
  static void dropSchema() {
    PostgresTestServer.dropSchema(SCHEMA);
  }

  @Test
  @DisplayName("the stored row parses with cloudevents-json-jackson, with type, data and extensions intact")
  void storedEventParsesWithTheCloudEventsSdk() throws Exception {
    PostgresEventBus bus = TestBuses.started(TestBuses.bus(SCHEMA, Duration.ofSeconds(1)).source("orders-service")
        .build());
    try {
      Event<Map<String, Object>> placed = Event.builder("order.placed", Map.<String, Object>of("orderId", "o-1",
              "total", 42))
          .key("o-1").version(2).header("tenant", "acme").build();
      bus.publish(placed).block(WAIT);

      String stored = PostgresTestServer.query("SELECT cloud_event::text FROM \"" + SCHEMA
          + "\".event_log WHERE event_id = $1", placed.id()).get(0);
      CloudEvent parsed = EventFormatProvider.getInstance().resolveFormat(JsonFormat.CONTENT_TYPE)
          .deserialize(stored.getBytes(StandardCharsets.UTF_8));

      assertThat(parsed.getId()).isEqualTo(placed.id());
      assertThat(parsed.getType()).isEqualTo("order.placed");
      assertThat(parsed.getSource().toString()).isEqualTo("orders-service");
      assertThat(parsed.getExtension("partitionkey")).isEqualTo("o-1");
      assertThat(parsed.getExtension("tenant")).isEqualTo("acme");
      assertThat(parsed.getExtension("correlationid")).isEqualTo(placed.id());
      assertThat(new ObjectMapper().readValue(parsed.getData().toBytes(), Map.class))
          .isEqualTo(Map.of("orderId", "o-1", "total", 42));
    } finally {
      TestBuses.stop(bus);
    }
  }
}
