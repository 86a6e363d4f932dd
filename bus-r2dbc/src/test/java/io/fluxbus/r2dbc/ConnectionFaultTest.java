package io.fluxbus.r2dbc;

import static io.fluxbus.r2dbc.TestBuses.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fluxbus.Event;
import io.fluxbus.LifecycleEvent;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/** Connections killed by the server ({@code pg_terminate_backend}) delay delivery but lose nothing. */
@DisplayName("Killed connections lose nothing")
class ConnectionFaultTest {

  private static final String SCHEMA = PostgresTestServer.freshSchema("fault");

  @AfterAll
  static void dropSchema() {
    PostgresTestServer.dropSchema(SCHEMA);
  }

  @Test
  @DisplayName("a killed LISTEN connection is reported, re-established, and NOTIFY wakes the bus again")
  void killedListenerReconnects() {
    PostgresEventBus publisher = TestBuses.started(TestBuses.bus(SCHEMA, Duration.ofHours(1)).name("pub").build());
    PostgresEventBus subscriber = TestBuses.started(TestBuses.bus(SCHEMA, Duration.ofHours(1)).name("sub").build());
    List<LifecycleEvent> lifecycle = new CopyOnWriteArrayList<>();
    Disposable recording = subscriber.lifecycle().subscribe(lifecycle::add);
    try {
      List<Event<Object>> received = TestBuses.record(subscriber, "ping");
      String listener = "fluxbus-listener:sub:" + SCHEMA;
      String firstPid = await().atMost(WAIT).until(() -> listeningPid(listener), pid -> pid != null);

      PostgresTestServer.query("SELECT pg_terminate_backend($1::int)", Integer.parseInt(firstPid));

      await().atMost(WAIT).until(() -> listeningPid(listener), pid -> pid != null && !pid.equals(firstPid));
      await().atMost(WAIT).until(() -> lifecycle.stream().map(LifecycleEvent::type).toList()
          .containsAll(List.of(LifecycleEvent.Type.ENGINE_DISCONNECTED, LifecycleEvent.Type.ENGINE_RECONNECTED)));
      for (int i = 1; i <= 3; i++) {
        publisher.publish("ping", i).block(WAIT);
        int expected = i;
        await().atMost(WAIT).until(() -> received.size() == expected);
      }
      assertThat(received).extracting(Event::payload).containsExactly(1, 2, 3);
    } finally {
      recording.dispose();
      TestBuses.stop(publisher, subscriber);
    }
  }

  @Test
  @DisplayName("killing the reader's pooled connections and its listener again and again during 5000 publishes loses no event and repeats none")
  void killedReaderConnectionsLoseNothing() {
    PostgresEventBus publisher = TestBuses.started(TestBuses.bus(SCHEMA, Duration.ofMillis(100)).name("pub2")
        .build());
    PostgresEventBus subscriber = TestBuses.started(TestBuses.bus(SCHEMA, Duration.ofMillis(100)).name("sub2")
        .batchSize(50).build());
    List<Event<Object>> received = TestBuses.record(subscriber, "load.#");
    AtomicInteger killed = new AtomicInteger();
    Disposable killer = Flux.interval(Duration.ofMillis(25), Schedulers.boundedElastic())
        .concatMap(tick -> Mono.fromCallable(() -> PostgresTestServer.query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name IN ($1, $2)",
            "fluxbus:sub2:" + SCHEMA, "fluxbus-listener:sub2:" + SCHEMA)))
        .subscribe(terminated -> killed.addAndGet((int) terminated.stream().filter("true"::equals).count()));
    try {
      Set<String> published = Flux.range(0, 5000)
          .flatMap(i -> publisher.publish("load.item", i).map(result -> result.eventId()), 8)
          .collect(Collectors.toSet())
          .block(Duration.ofSeconds(60));
      killer.dispose();

      assertThat(killed.get()).as("connections of the reader terminated during the run").isPositive();
      await().atMost(WAIT).until(() -> received.size() >= published.size());
      TestBuses.awaitFullPass(subscriber);
      assertThat(received).extracting(Event::id).doesNotHaveDuplicates()
          .containsExactlyInAnyOrderElementsOf(published);
    } finally {
      killer.dispose();
      TestBuses.stop(publisher, subscriber);
    }
  }

  @Test
  @DisplayName("a burst of 10 000 notifications does not kill the listener: later NOTIFYs still wake the bus")
  void notificationBurstKeepsTheListenerAlive() {
    PostgresEventBus publisher = TestBuses.started(TestBuses.bus(SCHEMA, Duration.ofHours(1)).name("pub3").build());
    PostgresEventBus subscriber = TestBuses.started(TestBuses.bus(SCHEMA, Duration.ofHours(1)).name("sub3").build());
    List<LifecycleEvent> lifecycle = new CopyOnWriteArrayList<>();
    Disposable recording = subscriber.lifecycle().subscribe(lifecycle::add);
    try {
      List<Event<Object>> received = TestBuses.record(subscriber, "after.burst");
      String listener = "fluxbus-listener:sub3:" + SCHEMA;
      await().atMost(WAIT).until(() -> listeningPid(listener), pid -> pid != null);

      // distinct payloads, so PostgreSQL folds none of them; all arrive at commit, faster than passes run
      PostgresTestServer.query("SELECT count(pg_notify($1, g::text)) FROM generate_series(1, 10000) g",
          SCHEMA + "_wakeup");
      for (int i = 1; i <= 3; i++) {
        publisher.publish("after.burst", i).block(WAIT);
        int expected = i;
        await().atMost(WAIT).until(() -> received.size() == expected);
      }

      assertThat(received).extracting(Event::payload).containsExactly(1, 2, 3);
      assertThat(lifecycle).extracting(LifecycleEvent::type).doesNotContain(LifecycleEvent.Type.ENGINE_DISCONNECTED);
    } finally {
      recording.dispose();
      TestBuses.stop(publisher, subscriber);
    }
  }

  private static String listeningPid(String applicationName) {
    List<String> pids = PostgresTestServer.query("SELECT pid FROM pg_stat_activity WHERE application_name = $1 "
        + "AND query LIKE 'LISTEN%'", applicationName);
    return pids.isEmpty() ? null : pids.get(0);
  }
}
