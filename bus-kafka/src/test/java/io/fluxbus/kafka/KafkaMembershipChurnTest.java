package io.fluxbus.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fluxbus.Event;
import io.fluxbus.PublishResult;
import io.fluxbus.SubscribeOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Members join and leave a group while a keyed publisher runs: a group on three buses (each its own Kafka clients),
 * two from the start, a third joining a third of the way through the run and the first stopping at two thirds. Every
 * published event is handled at least once, and each key's events are first handled in the order they were
 * published; duplicates (events handled again by a partition's next owner) are counted and printed (at-least-once
 * allows them; the test does not bound them).
 */
@DisplayName("Kafka: members joining and leaving a group under load lose nothing and keep each key's order")
class KafkaMembershipChurnTest {

  private static final String PREFIX = "churn-" + System.nanoTime();
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final int EVENTS = 12_000;
  private static final int KEYS = 24;

  private final List<KafkaEventBus> buses = new ArrayList<>();

  @AfterEach
  void stop() {
    buses.forEach(bus -> bus.stop().onErrorResume(e -> Mono.empty()).block(WAIT));
  }

  @AfterAll
  static void deleteTopics() {
    KafkaTestServer.deleteTopics(PREFIX);
  }

  @Test
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  @DisplayName("12,000 keyed events, a member joining and another stopping midway: all handled, keys in order")
  void membersJoinAndLeaveUnderLoad() {
    // catches: committing past work not yet done when partitions are revoked (e.g. the fetch position, past records
    // fetched but not started, which the leaving member drops): those events are never handled by anyone. Checked
    // by making onPartitionsRevoked commit kafka.position(partition) after leaving its queued records: 603 of the
    // 12,000 events were never handled and the test failed. With handlers faster than the publisher nothing is
    // queued when partitions move and that variant passes, hence the pace below. Also catches a new owner that starts before the old one finished a key's event
    // (first handlings out of order) and a joining member that never gets partitions.
    KafkaEventBus publisher = started("publisher");
    Map<String, AtomicInteger> handled = new ConcurrentHashMap<>();
    Map<String, List<Integer>> firstHandlings = new HashMap<>();
    Map<String, AtomicInteger> byMember = new ConcurrentHashMap<>();
    SubscribeOptions group = SubscribeOptions.defaults().group("billing").async(true).concurrency(2);
    List<KafkaEventBus> members = new CopyOnWriteArrayList<>();
    for (String name : List.of("first", "second", "third")) {
      members.add(started(name));
    }
    subscribe(members.get(0), "first", group, handled, firstHandlings, byMember);
    subscribe(members.get(1), "second", group, handled, firstHandlings, byMember);

    Set<String> published = ConcurrentHashMap.newKeySet();
    List<Throwable> failed = new CopyOnWriteArrayList<>();
    AtomicInteger outstanding = new AtomicInteger(EVENTS);
    // a key's publishes one after another (so its order is the log's), the keys side by side, about 1,000 a second:
    // a little faster than two members' handlers go, so that records are always queued in hand when partitions move
    Disposable run = Flux.interval(Duration.ofMillis(1)).onBackpressureBuffer().take(EVENTS).map(Long::intValue)
        .groupBy(i -> "k" + i % KEYS)
        .flatMap(key -> key.concatMap(i -> publisher.publish(Event.builder("order.placed", (Object) i).key(key.key())
                .build())
            .map(PublishResult::eventId)
            .doOnNext(published::add)
            .onErrorResume(error -> {
              failed.add(error);
              return Mono.empty();
            })
            .doFinally(signal -> outstanding.decrementAndGet())), KEYS)
        .subscribe();
    try {
      await().atMost(WAIT).until(() -> published.size() >= EVENTS / 3);
      subscribe(members.get(2), "third", group, handled, firstHandlings, byMember);
      await().atMost(WAIT).until(() -> published.size() >= 2 * EVENTS / 3);
      members.get(0).stop().block(WAIT);
      int handledByFirst = byMember.get("first").get();
      await().atMost(WAIT).until(() -> outstanding.get() == 0);
      await().atMost(WAIT).untilAsserted(() -> assertThat(published.stream().filter(id -> !handled.containsKey(id))
          .count()).as("published events never handled").isZero());

      long duplicates = handled.values().stream().mapToInt(AtomicInteger::get).filter(n -> n > 1)
          .mapToLong(n -> n - 1).sum();
      System.out.println("[fluxbus] membership churn: published " + published.size() + " of " + EVENTS + ", handled "
          + handled.size() + " distinct, " + duplicates + " duplicates; handlings per member " + byMember);
      assertThat(failed).isEmpty();
      assertThat(published).hasSize(EVENTS);
      assertThat(byMember.get("third").get()).as("the member that joined took a share").isPositive();
      assertThat(byMember.get("first").get()).as("the member that stopped handled nothing more")
          .isEqualTo(handledByFirst);
      synchronized (firstHandlings) {
        firstHandlings.forEach((key, order) -> assertThat(order).as("first handlings of key " + key)
            .isSortedAccordingTo(Integer::compare).doesNotHaveDuplicates());
        assertThat(firstHandlings.values().stream().mapToInt(List::size).sum()).isEqualTo(EVENTS);
      }
    } finally {
      run.dispose();
    }
  }

  private static void subscribe(KafkaEventBus member, String name, SubscribeOptions group, Map<String, AtomicInteger> handled,
                                Map<String, List<Integer>> firstHandlings, Map<String, AtomicInteger> byMember) {
    byMember.put(name, new AtomicInteger());
    member.subscribe("order.*", group, event -> Mono.defer(() -> {
      byMember.get(name).incrementAndGet();
      if (handled.computeIfAbsent(event.id(), id -> new AtomicInteger()).incrementAndGet() == 1) {
        synchronized (firstHandlings) {
          firstHandlings.computeIfAbsent(event.key(), key -> new ArrayList<>())
              .add(((Number) event.payload()).intValue());
        }
      }
      return Mono.delay(Duration.ofMillis(2 + ThreadLocalRandom.current().nextInt(5))).then();
    })).block(WAIT);
  }

  private KafkaEventBus started(String name) {
    KafkaEventBus bus = KafkaEventBus.builder().bootstrapServers(KafkaTestServer.bootstrap()).namespace(PREFIX)
        .partitions(6).name(name).linger(Duration.ZERO).maxPollRecords(50).sessionTimeout(Duration.ofSeconds(3))
        .pollTimeout(Duration.ofMillis(20)).drainTimeout(Duration.ofSeconds(5)).workers(4).build();
    bus.start().block(WAIT);
    buses.add(bus);
    return bus;
  }
}
