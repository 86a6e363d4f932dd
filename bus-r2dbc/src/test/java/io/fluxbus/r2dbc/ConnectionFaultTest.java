package io.fluxbus.r2dbc;

import static io.fluxbus.r2dbc.TestBuses.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fluxbus.EngineUnavailableException;
import io.fluxbus.Event;
import io.fluxbus.LifecycleEvent;
import io.fluxbus.SubscribeOptions;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;

/**
 * Connections killed by the server ({@code pg_terminate_backend}) delay delivery but lose nothing: a group and an
 * ordinary subscriber still get every event a publisher was told is stored.
 */
@DisplayName("Killed connections lose nothing")
class ConnectionFaultTest {

  private static final String SCHEMA = PostgresTestServer.freshSchema("fault");
  /** The long run's schema: four partitions, where the other tests use one. */
  private static final String PARTITIONED = PostgresTestServer.freshSchema("fault4");
  private static final int EVENTS = 50_000;

  @AfterAll
  static void dropSchema() {
    PostgresTestServer.dropSchema(SCHEMA);
    PostgresTestServer.dropSchema(PARTITIONED);
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
  @DisplayName("pg_terminate_backend of the consumer's connections and listener, and the publisher's, during a 50 000-event run loses nothing")
  void killedConnectionsDuringALongRunLoseNothing() {
    PostgresEventBus consumer = TestBuses.started(TestBuses.bus(PARTITIONED, Duration.ofMillis(100)).name("consumer")
        .partitions(4).groupLease(Duration.ofSeconds(2)).batchSize(200).workers(2).build());
    PostgresEventBus publisher = TestBuses.started(TestBuses.bus(PARTITIONED, Duration.ofMillis(100)).name("publisher")
        .partitions(4).poolMaxSize(16).build());
    Set<String> grouped = ConcurrentHashMap.newKeySet();
    Set<String> tailed = ConcurrentHashMap.newKeySet();
    AtomicLong deliveries = new AtomicLong();
    consumer.subscribe("load.#", SubscribeOptions.defaults().group("workers").async(true).concurrency(16),
        event -> Mono.fromRunnable(() -> {
          deliveries.incrementAndGet();
          grouped.add(event.id());
        })).block(WAIT);
    consumer.subscribe("load.#", event -> Mono.fromRunnable(() -> tailed.add(event.id()))).block(WAIT);
    Set<String> stored = ConcurrentHashMap.newKeySet();
    AtomicLong refused = new AtomicLong();
    AtomicInteger killed = new AtomicInteger();
    // mostly the consumer's pooled connections and its listener; now and then the publisher's, whose publishes
    // then fail and are retried
    String pool = "fluxbus:consumer:" + PARTITIONED;
    String listener = "fluxbus-listener:consumer:" + PARTITIONED;
    List<String> victims = List.of(pool, listener, pool, listener, pool, listener, pool, listener, pool,
        "fluxbus:publisher:" + PARTITIONED);
    AtomicInteger round = new AtomicInteger();
    Disposable killer = Flux.interval(Duration.ofMillis(150), Duration.ofMillis(300), Schedulers.boundedElastic())
        .concatMap(tick -> Mono.fromCallable(() -> PostgresTestServer.query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
            victims.get(round.getAndIncrement() % victims.size()))))
        .subscribe(terminated -> killed.addAndGet((int) terminated.stream().filter("true"::equals).count()));
    try {
      long began = System.nanoTime();
      // a publisher retries what the database did not confirm, as an application would; a retry may duplicate
      Flux.range(0, EVENTS)
          .map(i -> Event.builder("load.item", (Object) i).key("k" + (i % 64)).build())
          .flatMap(event -> publisher.publish(event)
              .doOnError(EngineUnavailableException.class, error -> refused.incrementAndGet())
              .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(5)).maxBackoff(Duration.ofMillis(200))
                  .filter(EngineUnavailableException.class::isInstance))
              .doOnNext(result -> stored.add(result.eventId())), 64)
          .then()
          .block(Duration.ofSeconds(120));
      killer.dispose();
      long published = System.nanoTime();

      assertThat(stored).hasSize(EVENTS);
      assertThat(killed.get()).as("connections terminated during the run").isPositive();
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
        List<String> missing = stored.stream().filter(id -> !grouped.contains(id)).toList();
        assertThat(missing).as(() -> "stored, not handled by the group; " + diagnose(missing) + "; "
            + consumer.describeReaders()).isEmpty();
        assertThat(stored.stream().filter(id -> !tailed.contains(id)).count()).as(() -> "stored, not received by "
            + "the ordinary subscriber; " + consumer.describeReaders()).isZero();
      });
      System.out.printf("[fluxbus] postgres fault run: %d stored in %d ms, all handled %d ms later; %d handled by "
          + "the group (%d deliveries), %d publish attempts refused, %d connections terminated%n", stored.size(),
          (published - began) / 1_000_000, (System.nanoTime() - published) / 1_000_000, grouped.size(),
          deliveries.get(), refused.get(), killed.get());
    } finally {
      killer.dispose();
      TestBuses.stop(publisher, consumer);
    }
  }

  /** Where the missing events are, where the group's cursors are, and what holds the horizon back. */
  private static String diagnose(List<String> missing) {
    if (missing.isEmpty()) {
      return "";
    }
    String log = "\"" + PARTITIONED + "\".event_log";
    return "rows " + PostgresTestServer.query("SELECT partition_no || ':' || tx_id || ':' || position || ' < horizon: '"
        + " || (tx_id < pg_snapshot_xmin(pg_current_snapshot())) FROM " + log + " WHERE event_id = ANY($1)",
        (Object) missing.stream().limit(5).toArray(String[]::new))
        + "; cursors " + PostgresTestServer.query("SELECT partition_no || ':' || cursor_tx || ':' || cursor_pos || ' owner '"
        + " || coalesce(owner, '-') || ' until ' || coalesce(lease_until::text, '-') || ' fence ' || fence FROM \""
        + PARTITIONED + "\".group_partition ORDER BY partition_no")
        + "; horizon " + PostgresTestServer.query("SELECT pg_snapshot_xmin(pg_current_snapshot())::text")
        + "; xid holders " + PostgresTestServer.query("SELECT application_name || ' ' || state || ' ' || backend_xid "
        + "FROM pg_stat_activity WHERE backend_xid IS NOT NULL");
  }

  private static String listeningPid(String applicationName) {
    List<String> pids = PostgresTestServer.query("SELECT pid FROM pg_stat_activity WHERE application_name = $1 "
        + "AND query LIKE 'LISTEN%'", applicationName);
    return pids.isEmpty() ? null : pids.get(0);
  }
}
