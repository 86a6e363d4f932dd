package io.fluxbus.r2dbc;

import static io.fluxbus.r2dbc.TestBuses.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fluxbus.BusNotStartedException;
import io.fluxbus.Event;
import io.fluxbus.PublishResult;
import io.fluxbus.SubscribeOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** {@code publishAt}: events stored now, appended to the log once due, exactly once, by whichever bus runs. */
@DisplayName("Delayed delivery")
class DelayedDeliveryTest {

  private static final String SCHEMA = PostgresTestServer.freshSchema("delayed");

  private PostgresEventBus first;
  private PostgresEventBus second;

  @AfterEach
  void stopBuses() {
    TestBuses.stop(first, second);
  }

  @AfterAll
  static void dropSchema() {
    PostgresTestServer.dropSchema(SCHEMA);
  }

  private static PostgresEventBus started(String name) {
    return TestBuses.started(TestBuses.bus(SCHEMA, Duration.ofMillis(100)).name(name).build());
  }

  private record Arrival(Object payload, Instant at) {}

  @Test
  @DisplayName("an event published for later reaches subscribers on every bus, and a group, only once it is due")
  void aDelayedEventArrivesOnceDue() {
    first = started("first");
    second = started("second");
    Queue<Arrival> ordinary = new ConcurrentLinkedQueue<>();
    Queue<Arrival> grouped = new ConcurrentLinkedQueue<>();
    second.subscribe("reminder.due", event -> Mono.fromRunnable(() -> ordinary.add(new Arrival(event.payload(),
        Instant.now())))).block(WAIT);
    second.subscribe("reminder.due", SubscribeOptions.defaults().group("reminders"), event -> Mono.fromRunnable(
        () -> grouped.add(new Arrival(event.payload(), Instant.now())))).block(WAIT);
    Instant due = Instant.now().plus(Duration.ofMillis(700));

    PublishResult stored = first.publishAt(Event.of("reminder.due", "call back"), due).block(WAIT);

    assertThat(stored.delivered()).isZero();
    assertThat(PostgresTestServer.query("SELECT count(*) FROM \"" + SCHEMA + "\".scheduled WHERE event_id = $1",
        stored.eventId())).containsExactly("1");
    await().atMost(WAIT).until(() -> ordinary.size() == 1 && grouped.size() == 1);
    assertThat(ordinary).allSatisfy(arrival -> assertThat(arrival.at()).isAfterOrEqualTo(due));
    assertThat(grouped).allSatisfy(arrival -> assertThat(arrival.at()).isAfterOrEqualTo(due));
    assertThat(PostgresTestServer.query("SELECT count(*) FROM \"" + SCHEMA + "\".scheduled")).containsExactly("0");
  }

  @Test
  @DisplayName("with two buses promoting at once, every due event is appended exactly once")
  void dueEventsAreAppendedExactlyOnce() {
    first = started("first");
    second = started("second");
    Map<String, Integer> received = new ConcurrentHashMap<>();
    second.subscribe("batch.due", event -> Mono.fromRunnable(() -> received.merge(event.id(), 1, Integer::sum)))
        .block(WAIT);
    Instant due = Instant.now().plus(Duration.ofMillis(300));

    List<String> ids = Flux.range(0, 600)
        .flatMap(i -> (i % 2 == 0 ? first : second).publishAt(Event.of("batch.due", i), due), 8)
        .map(PublishResult::eventId)
        .collectList()
        .block(WAIT);

    await().atMost(WAIT).until(() -> received.size() == 600);
    TestBuses.awaitFullPass(second);
    assertThat(received).containsOnlyKeys(ids).allSatisfy((id, times) -> assertThat(times).isEqualTo(1));
    assertThat(PostgresTestServer.query("SELECT count(*) || '/' || count(DISTINCT event_id) FROM \""
        + SCHEMA + "\".event_log WHERE topic = 'batch.due'")).as("rows / distinct events").containsExactly("600/600");
  }

  @Test
  @DisplayName("an event stored by a bus that stopped before it was due is appended by another bus")
  void anotherBusAppendsWhatAStoppedBusScheduled() {
    first = started("first");
    second = started("second");
    Queue<Object> received = new ConcurrentLinkedQueue<>();
    second.subscribe("handover.due", event -> Mono.fromRunnable(() -> received.add(event.payload()))).block(WAIT);

    first.publishAt(Event.of("handover.due", "later"), Instant.now().plus(Duration.ofMillis(400))).block(WAIT);
    first.stop().block(WAIT);

    await().atMost(WAIT).until(() -> received.size() == 1);
    assertThat(received).containsExactly("later");
  }

  @Test
  @DisplayName("an event due in the past is appended at once; a stopped bus refuses to store one")
  void pastDueIsAppendedAtOnceAndAStoppedBusRefuses() {
    first = started("first");
    Queue<Object> received = new ConcurrentLinkedQueue<>();
    first.subscribe("late.due", event -> Mono.fromRunnable(() -> received.add(event.payload()))).block(WAIT);

    first.publishAfter(Event.of("late.due", "now"), Duration.ZERO).block(WAIT);

    await().atMost(WAIT).until(() -> received.size() == 1);
    PostgresEventBus stopped = TestBuses.bus(SCHEMA, Duration.ofMillis(100)).build();
    StepVerifier.create(stopped.publishAt(Event.of("late.due", "never"), Instant.now()))
        .expectError(BusNotStartedException.class)
        .verify(WAIT);
  }
}
