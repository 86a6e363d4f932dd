package io.fluxbus.r2dbc;

import static io.fluxbus.r2dbc.TestBuses.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fluxbus.Event;
import io.fluxbus.StartPosition;
import io.fluxbus.SubscribeOptions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Sinks;

/** Retention deletes old events, but never one a durable group has yet to handle. */
@DisplayName("Retention deletes expired events")
class RetentionTest {

  private static final String SCHEMA = PostgresTestServer.freshSchema("retention");

  private PostgresEventBus bus;

  @BeforeEach
  void startBus() {
    bus = TestBuses.started(TestBuses.bus(SCHEMA, Duration.ofMillis(100)).retention(Duration.ofHours(1)).build());
  }

  @AfterEach
  void stopBus() {
    TestBuses.stop(bus);
    PostgresTestServer.execute("DELETE FROM \"" + SCHEMA + "\".group_partition");
    PostgresTestServer.execute("DELETE FROM \"" + SCHEMA + "\".event_log");
  }

  @AfterAll
  static void dropSchema() {
    PostgresTestServer.dropSchema(SCHEMA);
  }

  @Test
  @DisplayName("events older than the retention are deleted; younger ones are kept")
  void expiredEventsAreDeleted() {
    Event<String> old = Event.of("retained.item", "old");
    Event<String> young = Event.of("retained.item", "young");
    bus.publish(old).block(WAIT);
    bus.publish(young).block(WAIT);
    age(old, "2 hours");

    Long deleted = bus.retention().deleteExpired().block(WAIT);

    assertThat(deleted).isEqualTo(1);
    assertThat(stored(old)).isZero();
    assertThat(stored(young)).isEqualTo(1);
  }

  @Test
  @DisplayName("an expired event a durable group has not acknowledged is kept until it has, then deleted")
  void unacknowledgedEventsAreKeptUntilAcknowledged() {
    List<Event<Object>> handled = new CopyOnWriteArrayList<>();
    Sinks.Empty<Void> stuck = Sinks.empty();
    bus.subscribe("kept.#", SubscribeOptions.defaults().group("slow").startFrom(StartPosition.earliest()),
        event -> {
          handled.add(event);
          return stuck.asMono();
        }).block(WAIT);
    Event<String> first = Event.of("kept.item", "first");
    bus.publish(first).block(WAIT);
    await().atMost(WAIT).until(() -> handled.size() == 1);
    age(first, "2 hours");

    bus.retention().deleteExpired().block(WAIT);

    assertThat(stored(first)).as("the group is still handling it").isEqualTo(1);

    stuck.tryEmitEmpty();
    TestBuses.awaitFullPass(bus);
    Long deleted = bus.retention().deleteExpired().block(WAIT);

    assertThat(deleted).isEqualTo(1);
    assertThat(stored(first)).as("acknowledged by the group").isZero();
  }

  private static void age(Event<?> event, String by) {
    PostgresTestServer.query("UPDATE \"" + SCHEMA + "\".event_log SET appended_at = appended_at - interval '" + by
        + "' WHERE event_id = $1 RETURNING position", event.id());
  }

  private static int stored(Event<?> event) {
    return Integer.parseInt(PostgresTestServer.query("SELECT count(*) FROM \"" + SCHEMA
        + "\".event_log WHERE event_id = $1", event.id()).get(0));
  }
}
