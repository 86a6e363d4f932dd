package io.fluxbus.r2dbc;

import static io.fluxbus.r2dbc.TestBuses.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fluxbus.Event;
import io.fluxbus.EventHandler;
import io.fluxbus.RetryPolicy;
import io.fluxbus.StartPosition;
import io.fluxbus.SubscribeOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Durable consumer groups across buses on separate pools, as separate processes would run them: each event once,
 * both buses working, each key in order, a dead member's events redelivered once its lease expired, a poison event
 * dead-lettered while others flow, and a reset replaying or skipping.
 */
@DisplayName("Durable groups span buses")
class GroupsAcrossBusesTest {

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

  private record Handled(String bus, String id, String key, int sequence) {}

  private static SubscribeOptions billing() {
    return SubscribeOptions.defaults().group("billing").async(true).concurrency(4);
  }

  /** Records (bus, id, key, sequence) after a short, uneven time, so that lanes without per-key order reorder. */
  private static EventHandler recording(String bus, Queue<Handled> handled) {
    return event -> Mono.delay(Duration.ofMillis(ThreadLocalRandom.current().nextInt(3)))
        .then(Mono.fromRunnable(() -> handled.add(new Handled(bus, event.id(), event.key(),
            event.payloadAs(Integer.class)))));
  }

  private static List<String> publishKeyed(PostgresEventBus publisher, int count, int keys) {
    return Flux.range(0, count)
        .concatMap(i -> publisher.publish(Event.builder("order.placed", (Object) (i / keys)).key("k" + (i % keys))
            .build()))
        .map(result -> result.eventId())
        .collectList()
        .block(WAIT);
  }

  @Test
  @DisplayName("a group spread over two buses handles each event once, both buses work, and each key keeps order")
  void aGroupSpreadOverTwoBusesHandlesEachEventOnceInKeyOrder() {
    PostgresEventBus first = started("first", 4);
    PostgresEventBus second = started("second", 4);
    Queue<Handled> handled = new ConcurrentLinkedQueue<>();
    first.subscribe("order.*", billing(), recording("first", handled)).block(WAIT);
    second.subscribe("order.*", billing(), recording("second", handled)).block(WAIT);
    // both members hold partitions once the first has given up its surplus
    await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() -> {
      publishKeyed(first, 16, 16);
      return handled.stream().map(Handled::bus).distinct().count() == 2;
    });

    List<String> ids = publishKeyed(second, 400, 8);

    Set<String> published = Set.copyOf(ids);
    await().atMost(WAIT).untilAsserted(() -> assertThat(handled.stream().map(Handled::id).filter(published::contains)
        .count()).isGreaterThanOrEqualTo(400));
    List<Handled> run = handled.stream().filter(h -> published.contains(h.id())).toList();
    assertThat(run).extracting(Handled::id).as("each event once").containsExactlyInAnyOrderElementsOf(ids);
    Map<String, List<Integer>> byKey = new ConcurrentHashMap<>();
    run.forEach(h -> byKey.computeIfAbsent(h.key(), k -> new ArrayList<>()).add(h.sequence()));
    assertThat(byKey).hasSize(8).allSatisfy((key, sequences) ->
        assertThat(sequences).as("order of key %s", key).isSorted().hasSize(50));
    assertThat(run).extracting(Handled::bus).contains("first", "second");
  }

  @Test
  @DisplayName("a member that dies mid-handler has its event handled by another member once its lease expired")
  void aDeadMembersEventIsRedeliveredAfterItsLease() {
    PostgresEventBus dying = started("dying", 2);
    Sinks.Empty<Void> never = Sinks.empty();
    Queue<String> startedOnDying = new ConcurrentLinkedQueue<>();
    dying.subscribe("order.placed", SubscribeOptions.defaults().group("billing"), event -> {
      startedOnDying.add(event.id());
      return never.asMono();
    }).block(WAIT);
    String id = dying.publish("order.placed", "in hand").block(WAIT).eventId();
    await().atMost(WAIT).until(() -> startedOnDying.contains(id));

    long halted = System.nanoTime();
    dying.halt().block(WAIT);
    PostgresEventBus survivor = started("survivor", 2);
    Queue<String> handled = new ConcurrentLinkedQueue<>();
    survivor.subscribe("order.placed", SubscribeOptions.defaults().group("billing"),
        event -> Mono.fromRunnable(() -> handled.add(event.id()))).block(WAIT);

    await().atMost(WAIT).until(() -> handled.contains(id));
    // renewed every third of the lease until it died: the lease ran at least two thirds of it after that
    assertThat(Duration.ofNanos(System.nanoTime() - halted))
        .as("redelivered only once the dead member's lease expired").isGreaterThan(LEASE.dividedBy(2));
    never.tryEmitEmpty();
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
  @DisplayName("an event that always fails goes to <topic>.dlq with the error after maxAttempts, while others flow")
  void aPoisonEventIsDeadLetteredWhileOthersFlow() {
    PostgresEventBus consumer = started("consumer", 2);
    PostgresEventBus publisher = started("publisher", 2);
    Queue<Event<Object>> deadLetters = new ConcurrentLinkedQueue<>();
    Set<String> handled = ConcurrentHashMap.newKeySet();
    AtomicInteger attempts = new AtomicInteger();
    publisher.subscribe("order.placed.dlq", event -> Mono.fromRunnable(() -> deadLetters.add(event))).block(WAIT);
    consumer.subscribe("order.placed", billing().retry(RetryPolicy.exponential(3, Duration.ofMillis(2),
        Duration.ofMillis(10))), event -> {
          if ("poison".equals(event.key())) {
            attempts.incrementAndGet();
            return Mono.error(new IllegalArgumentException("cannot bill " + event.payload()));
          }
          handled.add(event.id());
          return Mono.empty();
        }).block(WAIT);

    List<String> good = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      publisher.publish(Event.builder("order.placed", (Object) i).key("poison").build()).block(WAIT);
      good.add(publisher.publish(Event.builder("order.placed", (Object) i).key("k" + (i % 3)).build())
          .block(WAIT).eventId());
    }

    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(handled).containsExactlyInAnyOrderElementsOf(good);
      assertThat(deadLetters).hasSize(10);
    });
    assertThat(attempts.get()).isEqualTo(30);
    assertThat(deadLetters).extracting(Event::payload).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    assertThat(deadLetters).allSatisfy(letter -> {
      assertThat(letter.key()).isEqualTo("poison");
      assertThat(letter.headers()).containsEntry("dlqgroup", "billing").containsEntry("dlqattempts", "3")
          .containsEntry("dlqtopic", "order.placed");
      assertThat(letter.headers().get("dlqerror")).contains("IllegalArgumentException").contains("cannot bill");
    });
    assertThat(consumer.stats().failed()).isEqualTo(10);
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
