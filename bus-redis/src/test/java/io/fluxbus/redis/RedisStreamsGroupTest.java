package io.fluxbus.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fluxbus.Event;
import io.fluxbus.EventHandler;
import io.fluxbus.RetryPolicy;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Durable consumer groups across buses on separate connections, as separate processes would run them: a group spread
 * over two buses handles each event once, keeps each key's order, hands a dead member's events to a live one after
 * {@code claimIdle}, and dead-letters a poison key while other keys flow.
 */
@DisplayName("RedisEventBus (streams) groups span buses")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RedisStreamsGroupTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final String PREFIX = "groups-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
  private static final AtomicInteger NAMESPACES = new AtomicInteger();

  private final String namespace = PREFIX + "-" + NAMESPACES.incrementAndGet();
  private final List<RedisEventBus> buses = new ArrayList<>();

  @AfterEach
  void stopBuses() {
    buses.forEach(bus -> bus.stop().block(WAIT));
  }

  @AfterAll
  static void deleteKeys() {
    try (RedisAdmin admin = new RedisAdmin()) {
      admin.deleteKeys("{" + PREFIX + "-*");
    }
  }

  private RedisEventBus started(int partitions) {
    RedisEventBus bus = RedisEventBus.builder()
        .url(RedisTestServer.url())
        .mode(RedisEventBus.Mode.STREAMS)
        .namespace(namespace)
        .partitions(partitions)
        .blockTimeout(Duration.ofMillis(100))
        .claimIdle(Duration.ofMillis(600))
        .drainTimeout(Duration.ofMillis(500))
        .workers(2)
        .build();
    buses.add(bus);
    bus.start().block(WAIT);
    return bus;
  }

  private static SubscribeOptions billing() {
    return SubscribeOptions.defaults().group("billing").async(true).concurrency(4);
  }

  /** A handler that records (bus, key, sequence) and completes after a short, uneven time. */
  private static EventHandler recording(String bus, Queue<Handled> handled) {
    return event -> Mono.delay(Duration.ofMillis(ThreadLocalRandom.current().nextInt(3)))
        .then(Mono.fromRunnable(() -> handled.add(new Handled(bus, event.id(), event.key(),
            event.payloadAs(Integer.class)))));
  }

  private record Handled(String bus, String id, String key, int sequence) {}

  private static List<String> publishKeyed(RedisEventBus publisher, int count, int keys) {
    return Flux.range(0, count)
        .concatMap(i -> publisher.publish(Event.builder("order.placed", (Object) (i / keys)).key("k" + (i % keys))
            .build()))
        .map(result -> result.eventId())
        .collectList()
        .block(WAIT);
  }

  @Test
  @DisplayName("events cross between buses both ways, and each bus delivers its own events once")
  void eventsCrossBetweenBuses() {
    RedisEventBus left = started(2);
    RedisEventBus right = started(2);
    Queue<Object> atLeft = new ConcurrentLinkedQueue<>();
    Queue<Object> atRight = new ConcurrentLinkedQueue<>();
    left.subscribe("#", event -> Mono.fromRunnable(() -> atLeft.add(event.payload()))).block(WAIT);
    right.subscribe("#", event -> Mono.fromRunnable(() -> atRight.add(event.payload()))).block(WAIT);

    left.publish("order.placed", "from left").block(WAIT);
    right.publish("order.paid", "from right").block(WAIT);

    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(atLeft).containsExactlyInAnyOrder("from left", "from right");
      assertThat(atRight).containsExactlyInAnyOrder("from left", "from right");
    });
  }

  @Test
  @DisplayName("a group spread over two buses handles each event once, both buses work, and each key keeps order")
  void aGroupSpreadOverTwoBusesHandlesEachEventOnceInKeyOrder() {
    RedisEventBus first = started(4);
    RedisEventBus second = started(4);
    Queue<Handled> handled = new ConcurrentLinkedQueue<>();
    first.subscribe("order.*", billing(), recording("first", handled)).block(WAIT);
    second.subscribe("order.*", billing(), recording("second", handled)).block(WAIT);
    // both members hold partitions once the first has given up its surplus
    await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() -> {
      publishKeyed(first, 16, 16);
      return handled.stream().map(Handled::bus).distinct().count() == 2;
    });

    List<String> ids = publishKeyed(first, 400, 8);

    Set<String> published = Set.copyOf(ids);
    await().atMost(WAIT).untilAsserted(() -> assertThat(handled.stream().map(Handled::id).filter(published::contains)
        .distinct().count()).isEqualTo(400));
    List<Handled> run = handled.stream().filter(h -> published.contains(h.id())).toList();
    assertThat(run).extracting(Handled::id).as("each event once").containsExactlyInAnyOrderElementsOf(ids);
    Map<String, List<Integer>> byKey = new ConcurrentHashMap<>();
    run.forEach(h -> byKey.computeIfAbsent(h.key(), k -> new ArrayList<>()).add(h.sequence()));
    assertThat(byKey).hasSize(8).allSatisfy((key, sequences) ->
        assertThat(sequences).as("order of key %s", key).isSorted().hasSize(50));
    assertThat(run).extracting(Handled::bus).contains("first", "second");
  }

  @Test
  @DisplayName("a member that dies mid-handler has its events handled by another member after claimIdle")
  void aDeadMembersEventsAreRedeliveredAfterClaimIdle() {
    RedisEventBus dying = started(1);
    Sinks.Empty<Void> never = Sinks.empty();
    Queue<String> startedOnDying = new ConcurrentLinkedQueue<>();
    dying.subscribe("order.placed", SubscribeOptions.defaults().group("billing"), event -> {
      startedOnDying.add(event.id());
      return never.asMono();
    }).block(WAIT);
    String id = dying.publish("order.placed", "in hand").block(WAIT).eventId();
    await().atMost(WAIT).until(() -> startedOnDying.contains(id));

    dying.halt().block(WAIT);
    RedisEventBus survivor = started(1);
    Queue<String> handled = new ConcurrentLinkedQueue<>();
    long joined = System.nanoTime();
    survivor.subscribe("order.placed", SubscribeOptions.defaults().group("billing"),
        event -> Mono.fromRunnable(() -> handled.add(event.id()))).block(WAIT);

    await().atMost(WAIT).until(() -> handled.contains(id));
    assertThat(Duration.ofNanos(System.nanoTime() - joined))
        .as("redelivered only once the dead member's lease expired").isGreaterThan(Duration.ofMillis(300));
    never.tryEmitEmpty();
  }

  @Test
  @DisplayName("a handler that always fails for one key dead-letters that key's events while other keys flow")
  void aPoisonKeyIsDeadLetteredWhileOtherKeysFlow() {
    RedisEventBus consumer = started(2);
    RedisEventBus publisher = started(2);
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

    List<String> good = new CopyOnWriteArrayList<>();
    for (int i = 0; i < 20; i++) {
      publisher.publish(Event.builder("order.placed", (Object) i).key("poison").build()).block(WAIT);
      good.add(publisher.publish(Event.builder("order.placed", (Object) i).key("k" + (i % 3)).build())
          .block(WAIT).eventId());
    }

    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(handled).containsExactlyInAnyOrderElementsOf(good);
      assertThat(deadLetters).hasSize(20);
    });
    assertThat(attempts.get()).isEqualTo(60);
    assertThat(deadLetters).allSatisfy(letter -> {
      assertThat(letter.key()).isEqualTo("poison");
      assertThat(letter.headers()).containsEntry("dlqgroup", "billing").containsEntry("dlqattempts", "3");
      assertThat(letter.headers().get("dlqerror")).contains("IllegalArgumentException").contains("cannot bill");
    });
    assertThat(consumer.stats().failed()).isEqualTo(20);
  }

  @Test
  @DisplayName("consumers of buses gone for ten leases, with nothing pending, are removed when a member takes over")
  void idleConsumersOfGoneBusesAreForgotten() {
    RedisEventBus first = started(1);
    first.subscribe("order.placed", SubscribeOptions.defaults().group("billing"), event -> Mono.empty()).block(WAIT);
    String log = "{" + namespace + "}:log:0";
    String group = StreamGroup.redisGroup("billing", "order.placed");
    try (RedisAdmin admin = new RedisAdmin()) {
      admin.commands().xgroupCreateconsumer(log, io.lettuce.core.Consumer.from(group, "gone-long-ago"));
      first.stop().block(WAIT);
      // ten leases of 600 ms
      await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> consumers(admin, log, group).isEmpty()
          || idleMillis(admin, log, group, "gone-long-ago") > 6_500);

      RedisEventBus next = started(1);
      next.subscribe("order.placed", SubscribeOptions.defaults().group("billing"), event -> Mono.empty()).block(WAIT);
      next.publish("order.placed", "wake").block(WAIT);

      await().atMost(WAIT).untilAsserted(() -> assertThat(consumers(admin, log, group))
          .doesNotContain("gone-long-ago").contains(next.origin()));
    }
  }

  private static List<String> consumers(RedisAdmin admin, String log, String group) {
    return admin.commands().xinfoConsumers(log, group).stream()
        .map(info -> (List<?>) info)
        .map(fields -> String.valueOf(fields.get(fields.indexOf("name") + 1)))
        .toList();
  }

  private static long idleMillis(RedisAdmin admin, String log, String group, String consumer) {
    return admin.commands().xinfoConsumers(log, group).stream()
        .map(info -> (List<?>) info)
        .filter(fields -> consumer.equals(String.valueOf(fields.get(fields.indexOf("name") + 1))))
        .mapToLong(fields -> ((Number) fields.get(fields.indexOf("idle") + 1)).longValue())
        .findFirst().orElse(Long.MAX_VALUE);
  }

  @Test
  @DisplayName("a group can be reset to replay what the log retains")
  void aGroupCanBeReset() {
    RedisEventBus bus = started(2);
    Queue<Object> handled = new ConcurrentLinkedQueue<>();
    bus.subscribe("order.placed", SubscribeOptions.defaults().group("audit"),
        event -> Mono.fromRunnable(() -> handled.add(event.payload()))).block(WAIT);
    for (int i = 0; i < 3; i++) {
      bus.publish("order.placed", i).block(WAIT);
    }
    await().atMost(WAIT).untilAsserted(() -> assertThat(handled).containsExactly(0, 1, 2));

    bus.resetGroup("audit", "order.placed", io.fluxbus.StartPosition.earliest()).block(WAIT);
    bus.publish("order.placed", 3).block(WAIT);

    await().atMost(WAIT).untilAsserted(() -> assertThat(handled).containsExactly(0, 1, 2, 0, 1, 2, 3));
  }
}
