package io.fluxbus.r2dbc;

import static io.fluxbus.r2dbc.TestBuses.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fluxbus.BusNotStartedException;
import io.fluxbus.Event;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.Result;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** {@code publish(Connection, Event)}: the event is stored if and only if the caller's transaction commits. */
@DisplayName("Outbox: publishing inside the caller's transaction")
class OutboxTest {

  private static final String SCHEMA = PostgresTestServer.freshSchema("outbox");
  private static final ConnectionFactory APP = ConnectionFactories.get(PostgresTestServer.url());

  private PostgresEventBus bus;
  private PostgresEventBus otherProcess;

  @BeforeAll
  static void createBusinessTable() {
    PostgresTestServer.execute("CREATE TABLE IF NOT EXISTS public.\"" + SCHEMA + "_orders\" (id text PRIMARY KEY)");
  }

  @BeforeEach
  void startBuses() {
    bus = TestBuses.started(TestBuses.bus(SCHEMA, Duration.ofMillis(100)).name("app").build());
    otherProcess = TestBuses.started(TestBuses.bus(SCHEMA, Duration.ofMillis(100)).name("other").build());
  }

  @AfterEach
  void stopBuses() {
    TestBuses.stop(bus, otherProcess);
  }

  @AfterAll
  static void dropSchema() {
    PostgresTestServer.execute("DROP TABLE IF EXISTS public.\"" + SCHEMA + "_orders\"");
    PostgresTestServer.dropSchema(SCHEMA);
  }

  @Test
  @DisplayName("a rolled-back transaction stores no event and delivers nothing")
  void rolledBackTransactionStoresNothing() {
    List<Event<Object>> here = TestBuses.record(bus, "order.#");
    List<Event<Object>> there = TestBuses.record(otherProcess, "order.#");
    Event<String> placed = Event.of("order.placed", "o-1");

    placeOrder("o-1", placed, false).block(WAIT);

    TestBuses.awaitFullPass(bus);
    TestBuses.awaitFullPass(otherProcess);
    assertThat(storedCopiesOf(placed)).isZero();
    assertThat(here).isEmpty();
    assertThat(there).isEmpty();
  }

  @Test
  @DisplayName("a committed transaction stores exactly one event, delivered once to each process")
  void committedTransactionStoresExactlyOne() {
    List<Event<Object>> here = TestBuses.record(bus, "order.#");
    List<Event<Object>> there = TestBuses.record(otherProcess, "order.#");
    Event<String> placed = Event.of("order.placed", "o-2");

    placeOrder("o-2", placed, true).block(WAIT);

    await().atMost(WAIT).until(() -> here.size() == 1 && there.size() == 1);
    TestBuses.awaitFullPass(bus);
    TestBuses.awaitFullPass(otherProcess);
    assertThat(storedCopiesOf(placed)).isEqualTo(1);
    assertThat(here).extracting(Event::id).containsExactly(placed.id());
    assertThat(there).extracting(Event::id).containsExactly(placed.id());
    assertThat(PostgresTestServer.query("SELECT count(*) FROM public.\"" + SCHEMA + "_orders\" WHERE id = 'o-2'"))
        .containsExactly("1");
  }

  @Test
  @DisplayName("publishing in a transaction on a bus that is not running signals BusNotStartedException")
  void outboxPublishNeedsARunningBus() {
    PostgresEventBus stopped = TestBuses.bus(SCHEMA, Duration.ofSeconds(1)).build();
    Connection connection = Mono.from(APP.create()).block(WAIT);
    try {
      StepVerifier.create(stopped.publish(connection, Event.of("order.placed", "o-3")))
          .expectError(BusNotStartedException.class)
          .verify(WAIT);
    } finally {
      Mono.from(connection.close()).block(WAIT);
    }
  }

  /** A business transaction: insert the order and publish its event, then commit or roll back. */
  private Mono<Void> placeOrder(String orderId, Event<String> event, boolean commit) {
    return Mono.usingWhen(APP.create(), c -> Mono.from(c.beginTransaction())
            .then(Flux.from(c.createStatement("INSERT INTO public.\"" + SCHEMA + "_orders\" (id) VALUES ($1)")
                .bind(0, orderId).execute()).flatMap(Result::getRowsUpdated).then())
            .then(bus.publish(c, event))
            .then(Mono.from(commit ? c.commitTransaction() : c.rollbackTransaction())),
        Connection::close);
  }

  private static int storedCopiesOf(Event<?> event) {
    return Integer.parseInt(PostgresTestServer.query("SELECT count(*) FROM \"" + SCHEMA
        + "\".event_log WHERE event_id = $1", event.id()).get(0));
  }
}
