package io.fluxbus.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

@DisplayName("LaneScheduler: streaming per-key lanes")
class LaneSchedulerTest {

  private record Item(String key, int sequence) {}

  @Test
  @DisplayName("items of one key run one at a time in arrival order, up to the width at once over all keys")
  void keysKeepTheirOrderAndTheWidthHolds() {
    // catches: a lane that starts its next item before the previous ended (order), or a width that is not kept
    AtomicInteger running = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    Map<String, Queue<Integer>> seen = new ConcurrentHashMap<>();
    Map<String, AtomicInteger> inLane = new ConcurrentHashMap<>();
    AtomicInteger overlapping = new AtomicInteger();
    AtomicInteger ended = new AtomicInteger();
    LaneScheduler<Item> lanes = new LaneScheduler<>(() -> 4, item -> Mono.defer(() -> {
      most.accumulateAndGet(running.incrementAndGet(), Math::max);
      if (inLane.computeIfAbsent(item.key(), k -> new AtomicInteger()).incrementAndGet() > 1) {
        overlapping.incrementAndGet();
      }
      seen.computeIfAbsent(item.key(), k -> new ConcurrentLinkedQueue<>()).add(item.sequence());
      return Mono.delay(Duration.ofMillis(ThreadLocalRandom.current().nextInt(3)), Schedulers.parallel())
          .doOnNext(tick -> {
            inLane.get(item.key()).decrementAndGet();
            running.decrementAndGet();
          })
          .thenReturn(true);
    }), (item, settled) -> ended.incrementAndGet());

    for (int i = 0; i < 400; i++) {
      lanes.submit("k" + i % 10, new Item("k" + i % 10, i / 10));
    }

    await().atMost(Duration.ofSeconds(20)).until(() -> ended.get() == 400);
    assertThat(overlapping).as("two items of one key at once").hasValue(0);
    assertThat(most.get()).isBetween(2, 4);
    assertThat(seen).hasSize(10).allSatisfy((key, order) -> assertThat(new ArrayList<>(order)).isSorted().hasSize(40));
  }

  @Test
  @DisplayName("a key whose item runs long does not hold up other keys")
  void aSlowKeyDoesNotStallOthers() {
    // catches: a scheduler that runs items in arrival order across keys (head-of-line blocking)
    Sinks.Empty<Void> slow = Sinks.empty();
    Queue<Integer> done = new ConcurrentLinkedQueue<>();
    LaneScheduler<Item> lanes = new LaneScheduler<>(() -> 2, item -> item.key().equals("slow")
        ? slow.asMono().thenReturn(true)
        : Mono.fromRunnable(() -> done.add(item.sequence())).thenReturn(true), (item, settled) -> { });

    lanes.submit("slow", new Item("slow", 0));
    for (int i = 0; i < 50; i++) {
      lanes.submit("fast" + i % 3, new Item("fast" + i % 3, i));
    }

    await().atMost(Duration.ofSeconds(10)).until(() -> done.size() == 50);
    assertThat(lanes.running()).isEqualTo(1);
    slow.tryEmitEmpty();
  }

  @Test
  @DisplayName("an item left unsettled leaves the items queued behind it in its lane, unrun, and only those")
  void aLeftItemLeavesItsLaneBehindIt() {
    // catches: running a key's later items after an earlier one was left (they would be handled out of order)
    List<String> ran = new ArrayList<>();
    Map<Item, Boolean> outcome = new ConcurrentHashMap<>();
    Sinks.One<Boolean> first = Sinks.one();
    LaneScheduler<Item> lanes = new LaneScheduler<>(() -> 1, item -> {
      synchronized (ran) {
        ran.add(item.key() + item.sequence());
      }
      return item.sequence() == 0 && item.key().equals("a") ? first.asMono() : Mono.just(true);
    }, outcome::put);

    lanes.submit("a", new Item("a", 0));
    lanes.submit("a", new Item("a", 1));
    lanes.submit("b", new Item("b", 0));
    lanes.submit("a", new Item("a", 2));
    first.tryEmitValue(false);

    await().atMost(Duration.ofSeconds(5)).until(() -> outcome.size() == 4);
    assertThat(ran).containsExactly("a0", "b0");
    assertThat(outcome).containsEntry(new Item("a", 0), false).containsEntry(new Item("a", 1), false)
        .containsEntry(new Item("a", 2), false).containsEntry(new Item("b", 0), true);
  }

  @Test
  @DisplayName("abandoning removes queued items of a kind, each ending unsettled, and running ones run on")
  void abandonRemovesQueuedItems() {
    Sinks.One<Boolean> running = Sinks.one();
    Map<Item, Boolean> outcome = new ConcurrentHashMap<>();
    LaneScheduler<Item> lanes = new LaneScheduler<>(() -> 1, item -> item.sequence() == 0 ? running.asMono()
        : Mono.just(true), outcome::put);
    lanes.submit("a", new Item("a", 0));
    lanes.submit("a", new Item("a", 1));
    lanes.submit("b", new Item("b", 1));

    lanes.abandon(item -> item.key().equals("a"));
    assertThat(outcome).containsOnly(Map.entry(new Item("a", 1), false));
    running.tryEmitValue(true);

    await().atMost(Duration.ofSeconds(5)).until(() -> outcome.size() == 3);
    assertThat(outcome).containsEntry(new Item("a", 0), true).containsEntry(new Item("b", 1), true);
    assertThat(lanes.queued()).isZero();
  }
}
