package io.fluxbus.r2dbc;

import static io.fluxbus.r2dbc.TestBuses.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fluxbus.Event;
import io.fluxbus.StartPosition;
import io.fluxbus.SubscribeOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * What the PostgreSQL engine's groups do beyond {@link PostgresSharedLogTest} (the shared-log contract): a stopped
 * bus releases its partitions at once, a member catching up still shares, a reset replays or skips, and a new group
 * starting at a time starts there in every partition.
 */
@DisplayName("Durable groups: release, rebalance, reset and start positions")
class GroupLifecycleTest {

  private static final String PREFIX = "groups";
  private static final Duration LEASE = Duration.ofMillis(800);
  private static final List<String> SCHEMAS = new CopyOnWriteArrayList<>();

  private final String schema = PostgresTestServer.freshSchema(PREFIX);
  private final List<PostgresEventBus> buses = new ArrayList<>();

  @AfterEach
  void stopBuses() {
    TestBuses.stop(buses.toArray(PostgresEventBus[]::new));
    SCHEMAS.add(schema);
  }

  @AfterAll
  static void dropSchemas() {
    PostgresTestServer.dropSchemas(SCHEMAS);
  }

  private PostgresEventBus started(String name, int partitions) {
    PostgresEventBus bus = TestBuses.started(TestBuses.bus(schema, Duration.ofMillis(100)).name(name)
        .partitions(partitions).groupLease(LEASE).workers(2).build());
    buses.add(bus);
    return bus;
  }

  @Test
  @DisplayName("a bus that stops releases its partitions: another bus continues at once, long before the lease ends")
  void aStoppedBusReleasesItsPartitions() {
    PostgresEventBus leaving = TestBuses.started(TestBuses.bus(schema, Duration.ofMillis(100)).name("leaving")
        .partitions(2).groupLease(Duration.ofMinutes(5)).build());
    buses.add(leaving);
    Queue<Object> handled = new ConcurrentLinkedQueue<>();
    leaving.subscribe("order.placed", SubscribeOptions.defaults().group("billing"),
        event -> Mono.fromRunnable(() -> handled.add(event.payload()))).block(WAIT);
    leaving.publish("order.placed", "before").block(WAIT);
    await().atMost(WAIT).until(() -> handled.contains("before"));

    leaving.stop().block(WAIT);

    assertThat(PostgresTestServer.query("SELECT count(*) FROM \"" + schema + "\".group_partition WHERE owner IS "
        + "NOT NULL")).as("partitions still owned").containsExactly("0");
    assertThat(PostgresTestServer.query("SELECT count(*) FROM \"" + schema + "\".group_member"))
        .as("members left").containsExactly("0");
    PostgresEventBus staying = TestBuses.started(TestBuses.bus(schema, Duration.ofMillis(100)).name("staying")
        .partitions(2).groupLease(Duration.ofMinutes(5)).build());
    buses.add(staying);
    staying.subscribe("order.placed", SubscribeOptions.defaults().group("billing"),
        event -> Mono.fromRunnable(() -> handled.add(event.payload()))).block(WAIT);
    staying.publish("order.placed", "after").block(WAIT);
    // the wait is far shorter than the five-minute lease: only a released partition can be taken this soon
    await().atMost(WAIT).until(() -> handled.contains("after"));
    assertThat(handled).containsExactly("before", "after");
  }

  @Test
  @DisplayName("a member catching up on a backlog gives partitions to a member that joins meanwhile")
  void aMemberCatchingUpSharesWithANewMember() {
    int backlog = 200;
    // one row per partition and batch: catching up takes many batches, each of them full
    PostgresEventBus first = TestBuses.started(TestBuses.bus(schema, Duration.ofMillis(100)).name("first")
        .partitions(4).groupLease(LEASE).batchSize(1).build());
    buses.add(first);
    Flux.range(0, backlog).flatMap(i -> first.publish(Event.builder("load.item", (Object) i).key("k" + i % 64)
        .build()), 64).then().block(WAIT);
    Set<Object> handled = ConcurrentHashMap.newKeySet();
    Queue<Object> bySecond = new ConcurrentLinkedQueue<>();
    Sinks.Empty<Void> secondJoined = Sinks.empty();
    AtomicBoolean firstEvent = new AtomicBoolean(true);
    // the first event is held for at least a rebalance interval (a fifth of the lease) and until the second member
    // is registered: once it is settled a rebalance is due, with nearly all of the backlog still to read
    first.subscribe("load.#", SubscribeOptions.defaults().group("catch-up").startFrom(StartPosition.earliest()),
        event -> Mono.fromRunnable(() -> handled.add(event.payload()))
            .then(firstEvent.getAndSet(false)
                ? Mono.delay(LEASE.dividedBy(5)).then(secondJoined.asMono()) : Mono.empty())).block(WAIT);
    await().atMost(WAIT).until(() -> !handled.isEmpty());
    PostgresEventBus second = started("second", 4);
    second.subscribe("load.#", SubscribeOptions.defaults().group("catch-up"),
        event -> Mono.fromRunnable(() -> {
          handled.add(event.payload());
          bySecond.add(event.payload());
        })).block(WAIT);
    await().atMost(WAIT).until(() -> PostgresTestServer.query("SELECT count(*) FROM \"" + schema
        + "\".group_member WHERE group_name = 'catch-up'"), List.of("2")::equals);

    secondJoined.tryEmitEmpty();

    await().atMost(WAIT).until(() -> handled.size() == backlog);
    assertThat(bySecond).as("events the member that joined during the backlog handled").isNotEmpty();
  }

  @Test
  @DisplayName("a group reset to the earliest event replays what the log holds; reset to the latest skips the rest")
  void aGroupCanBeResetToReplayOrSkip() {
    PostgresEventBus bus = started("auditor", 4);
    PostgresEventBus other = started("publisher", 4);
    Queue<Object> handled = new ConcurrentLinkedQueue<>();
    Sinks.Empty<Void> hold = Sinks.empty();
    bus.subscribe("order.placed", SubscribeOptions.defaults().group("audit"),
        event -> Mono.fromRunnable(() -> handled.add(event.payload()))
            .then("hold".equals(event.payload()) ? hold.asMono() : Mono.empty())).block(WAIT);
    for (int i = 0; i < 3; i++) {
      other.publish("order.placed", i).block(WAIT);
    }
    await().atMost(WAIT).untilAsserted(() -> assertThat(handled).containsExactly(0, 1, 2));

    other.resetGroup("audit", "order.placed", StartPosition.earliest()).block(WAIT);
    other.publish("order.placed", 3).block(WAIT);
    await().atMost(WAIT).untilAsserted(() -> assertThat(handled).containsExactly(0, 1, 2, 0, 1, 2, 3));

    other.publish("order.placed", "hold").block(WAIT);
    await().atMost(WAIT).until(() -> handled.contains("hold"));
    other.publish("order.placed", "skipped").block(WAIT);
    other.resetGroup("audit", "order.placed", StartPosition.latest()).block(WAIT);
    hold.tryEmitEmpty();
    other.publish("order.placed", 4).block(WAIT);

    await().atMost(WAIT).until(() -> handled.contains(4));
    assertThat(handled).containsExactly(0, 1, 2, 0, 1, 2, 3, "hold", 4);
  }

  @Test
  @DisplayName("a new group starting at a time reads, in every partition, what was appended from then on")
  void aNewGroupStartingAtATimeReadsFromThenOn() {
    PostgresEventBus bus = started("late", 4);
    for (int i = 0; i < 8; i++) {
      bus.publish(Event.builder("order.placed", (Object) ("old-" + i)).key("k" + i).build()).block(WAIT);
    }
    PostgresTestServer.query("UPDATE \"" + schema + "\".event_log SET appended_at = appended_at - interval '1 hour' "
        + "RETURNING position");
    for (int i = 0; i < 8; i++) {
      bus.publish(Event.builder("order.placed", (Object) ("new-" + i)).key("k" + i).build()).block(WAIT);
    }
    Queue<Object> handled = new ConcurrentLinkedQueue<>();

    bus.subscribe("order.placed", SubscribeOptions.defaults().group("late")
            .startFrom(StartPosition.at(java.time.Instant.now().minus(Duration.ofMinutes(30)))),
        event -> Mono.fromRunnable(() -> handled.add(event.payload()))).block(WAIT);

    await().atMost(WAIT).until(() -> handled.size() >= 8);
    TestBuses.awaitFullPass(bus);
    assertThat(handled).containsExactlyInAnyOrder("new-0", "new-1", "new-2", "new-3", "new-4", "new-5", "new-6",
        "new-7");
    assertThat(PostgresTestServer.query("SELECT count(DISTINCT partition_no) FROM \"" + schema + "\".event_log"))
        .as("the keys spread over several partitions").allSatisfy(count -> assertThat(Integer.parseInt(count))
            .isGreaterThan(1));
  }
}
