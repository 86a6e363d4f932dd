package io.fluxbus.r2dbc;

import static io.fluxbus.r2dbc.TestBuses.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fluxbus.ConfigException;
import io.fluxbus.Event;
import java.time.Duration;
import io.r2dbc.postgresql.api.PostgresqlConnection;
import io.r2dbc.postgresql.api.PostgresqlResult;
import io.r2dbc.spi.ConnectionFactories;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** Buses on separate pools share one schema as separate processes would. */
@DisplayName("Buses on separate pools act as separate processes")
class TwoProcessesTest {

  private static final String SCHEMA = PostgresTestServer.freshSchema("procs");

  @AfterAll
  static void dropSchema() {
    PostgresTestServer.dropSchema(SCHEMA);
  }

  @Test
  @DisplayName("buses starting at once on a new schema migrate it exactly once and all run")
  void concurrentStartsMigrateOnce() {
    String fresh = PostgresTestServer.freshSchema("migrate");
    List<PostgresEventBus> buses = IntStream.range(0, 4)
        .mapToObj(i -> TestBuses.bus(fresh, Duration.ofSeconds(1)).name("p" + i).build()).toList();
    try {
      Flux.fromIterable(buses).flatMap(PostgresEventBus::start).then().block(WAIT);

      assertThat(PostgresTestServer.query("SELECT version FROM \"" + fresh + "\".schema_version ORDER BY version"))
          .containsExactly("1", "2", "3", "4");
      buses.forEach(bus -> assertThat(bus.publish("started", 1).block(WAIT)).isNotNull());
    } finally {
      TestBuses.stop(buses.toArray(PostgresEventBus[]::new));
      PostgresTestServer.dropSchema(fresh);
    }
  }

  @Test
  @DisplayName("a bus configured with another partition count than its schema's refuses to start, naming both")
  void busesOfASchemaMustAgreeOnPartitions() {
    PostgresEventBus first = TestBuses.started(TestBuses.bus(SCHEMA, Duration.ofSeconds(1)).name("one").build());
    PostgresEventBus other = TestBuses.bus(SCHEMA, Duration.ofSeconds(1)).name("eight").partitions(8).build();
    try {
      StepVerifier.create(other.start())
          .expectErrorSatisfies(error -> assertThat(error).isInstanceOf(ConfigException.class)
              .hasMessageContaining("partitions 8").hasMessageContaining("the 1 that schema '" + SCHEMA + "'"))
          .verify(WAIT);
      assertThat(other.toString()).contains("state=stopped");
    } finally {
      TestBuses.stop(first, other);
    }
  }

  @Test
  @DisplayName("NOTIFY wakes another process: events arrive although it polls only once an hour")
  void notifyWakesAnotherProcess() {
    PostgresEventBus publisher = TestBuses.started(TestBuses.bus(SCHEMA, Duration.ofHours(1)).name("a").build());
    PostgresEventBus subscriber = TestBuses.started(TestBuses.bus(SCHEMA, Duration.ofHours(1)).name("b").build());
    try {
      List<Event<Object>> received = TestBuses.record(subscriber, "ping");
      // the first may also arrive through the catch-up read that follows LISTEN; later ones only through NOTIFY
      for (int i = 1; i <= 3; i++) {
        publisher.publish("ping", i).block(WAIT);
        int expected = i;
        await().atMost(WAIT).until(() -> received.size() == expected);
      }
      assertThat(received).extracting(Event::payload).containsExactly(1, 2, 3);
    } finally {
      TestBuses.stop(publisher, subscriber);
    }
  }

  @Test
  @DisplayName("a busy bus folds its wake-ups: one NOTIFY at once, then one per notifyInterval, the last on stop")
  void wakeupsAreFoldedPerInterval() {
    PostgresEventBus publisher = TestBuses.started(TestBuses.bus(SCHEMA, Duration.ofHours(2))
        .notifyInterval(Duration.ofHours(1)).name("folding").build());
    String channel = new LogSchema(SCHEMA).channel;
    PostgresqlConnection listening = Mono.from(ConnectionFactories.get(PostgresTestServer.url()).create())
        .cast(PostgresqlConnection.class).block(WAIT);
    List<String> payloads = new CopyOnWriteArrayList<>();
    try {
      listening.createStatement("LISTEN " + channel).execute().flatMap(PostgresqlResult::getRowsUpdated)
          .blockLast(WAIT);
      listening.getNotifications().subscribe(notification -> payloads.add(notification.getParameter()));

      publisher.publish("ping", 0).block(WAIT);
      await().atMost(WAIT).until(() -> payloads.size() == 1);
      for (int i = 1; i <= 4; i++) {
        publisher.publish("ping", i).block(WAIT);
      }
      // committed after the four publishes: whatever NOTIFY they sent is delivered before it
      PostgresTestServer.execute("NOTIFY " + channel + ", 'sentinel'");
      await().atMost(WAIT).until(() -> payloads.contains("sentinel"));
      assertThat(payloads).hasSize(2);

      publisher.stop().block(WAIT);
      PostgresTestServer.execute("NOTIFY " + channel + ", 'stopped'");
      await().atMost(WAIT).until(() -> payloads.contains("stopped"));
      assertThat(payloads).as("one folded wake-up, sent on stop").hasSize(4).element(2).isEqualTo(payloads.get(0));
    } finally {
      TestBuses.stop(publisher);
      Mono.from(listening.close()).block(WAIT);
    }
  }

  @Test
  @DisplayName("another process receives one publisher's events once each, in publish order")
  void anotherProcessReceivesEachEventOnceInOrder() {
    PostgresEventBus publisher = TestBuses.started(TestBuses.bus(SCHEMA, Duration.ofMillis(100)).name("a").build());
    PostgresEventBus subscriber = TestBuses.started(TestBuses.bus(SCHEMA, Duration.ofMillis(100)).name("b").build());
    try {
      List<Event<Object>> received = TestBuses.record(subscriber, "order.#");
      List<Event<Object>> local = TestBuses.record(publisher, "order.#");

      Flux.range(0, 300)
          .concatMap(i -> publisher.publish(Event.builder("order.updated", (Object) i).key("order-7").build()))
          .then().block(WAIT);

      await().atMost(WAIT).until(() -> received.size() >= 300);
      TestBuses.awaitFullPass(subscriber);
      TestBuses.awaitFullPass(publisher);
      assertThat(received).extracting(Event::payload).containsExactlyElementsOf(IntStream.range(0, 300).boxed()
          .map(Object.class::cast).toList());
      assertThat(local).as("the publisher's own subscriber gets each event once, not again from the log")
          .hasSize(300);
    } finally {
      TestBuses.stop(publisher, subscriber);
    }
  }
}
