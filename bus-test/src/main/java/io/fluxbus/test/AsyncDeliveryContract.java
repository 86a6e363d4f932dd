package io.fluxbus.test;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxbus.Event;
import io.fluxbus.EventBus;
import io.fluxbus.PublishResult;
import io.fluxbus.SubscribeOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.test.StepVerifier;

/**
 * Async subscriptions buffer events and handle them on the bus's workers, in publish order per subscription;
 * with {@code concurrency(n)}, events with the same key still run one at a time, in order.
 */
abstract class AsyncDeliveryContract extends ContractPart {

  AsyncDeliveryContract(BusFixture buses) {
    super(buses);
  }

  @Test
  @DisplayName("an async subscriber receives events in publish order")
  void anAsyncSubscriberReceivesEventsInPublishOrder() {
    EventBus bus = buses.started();
    List<Integer> expected = IntStream.range(0, 100).boxed().toList();

    StepVerifier.create(bus.subscribeAsync("work.item").map(Event::payload).take(expected.size()))
        .then(() -> Flux.fromIterable(expected).concatMap(i -> bus.publish("work.item", i)).blockLast(WAIT))
        .expectNextSequence(expected)
        .expectComplete()
        .verify(WAIT);
  }

  @Test
  @DisplayName("async handlers run on the bus's workers, not on the publishing thread")
  void asyncHandlersRunOffThePublishingThread() {
    EventBus bus = buses.started();
    EventLog handler = new EventLog();
    EventLog flux = new EventLog();
    bus.subscribeAsync("work.item", handler.handler()).block(WAIT);
    bus.subscribeAsync("work.item").subscribe(flux::add);
    Scheduler publisher = buses.singleThread("contract-publisher");

    bus.publish("work.item", 1).subscribeOn(publisher).block(WAIT);

    handler.awaitSize(1);
    flux.awaitSize(1);
    assertThat(handler.threads()).noneMatch(thread -> thread.startsWith("contract-publisher"));
    assertThat(flux.threads()).noneMatch(thread -> thread.startsWith("contract-publisher"));
  }

  @Test
  @DisplayName("publish does not wait for an async handler to finish")
  void publishDoesNotWaitForAnAsyncHandler() {
    EventBus bus = buses.started();
    Gate neverDuringTheTest = buses.gate();
    bus.subscribeAsync("work.item", event -> neverDuringTheTest.whenOpen()).block(WAIT);

    PublishResult first = publish(bus, "work.item", 1);
    PublishResult second = publish(bus, "work.item", 2);

    assertThat(first.delivered()).isEqualTo(1);
    assertThat(second.delivered()).isEqualTo(1);
    assertThat(neverDuringTheTest.isOpen()).isFalse();
  }

  @Test
  @DisplayName("an async handler handles one event at a time, in publish order, by default")
  void anAsyncHandlerHandlesOneEventAtATimeByDefault() {
    EventBus bus = buses.started();
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger maxInFlight = new AtomicInteger();
    List<Object> order = new CopyOnWriteArrayList<>();
    bus.subscribeAsync("work.item", event -> {
      maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
      order.add(event.payload());
      return Mono.delay(Duration.ofMillis(1)).doOnNext(tick -> inFlight.decrementAndGet()).then();
    }).block(WAIT);

    Flux.range(0, 30).concatMap(i -> bus.publish("work.item", i)).blockLast(WAIT);

    eventually().untilAsserted(() -> assertThat(order).hasSize(30));
    assertThat(order).containsExactlyElementsOf(IntStream.range(0, 30).boxed().toList());
    assertThat(maxInFlight.get()).as("events in flight at once").isEqualTo(1);
  }

  @Test
  @DisplayName("with concurrency(n), events with the same key never overlap and keep their order")
  void sameKeyEventsNeverOverlapUnderConcurrency() {
    EventBus bus = buses.started();
    Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    Map<String, List<Integer>> seen = new ConcurrentHashMap<>();
    List<String> overlaps = new CopyOnWriteArrayList<>();
    bus.subscribe("work.item", SubscribeOptions.defaults().async(true).concurrency(4), event -> {
      AtomicInteger running = inFlight.computeIfAbsent(event.key(), key -> new AtomicInteger());
      if (running.incrementAndGet() > 1) {
        overlaps.add(event.key() + "#" + event.payload());
      }
      seen.computeIfAbsent(event.key(), key -> new CopyOnWriteArrayList<>()).add((Integer) event.payload());
      return Mono.delay(Duration.ofMillis((Integer) event.payload() % 3))
          .doOnNext(tick -> running.decrementAndGet())
          .then();
    }).block(WAIT);
    List<Event<Integer>> events = new ArrayList<>();
    for (int i = 0; i < 120; i++) {
      events.add(Event.builder("work.item", i).key("key-" + (i % 4)).build());
    }

    Flux.fromIterable(events).concatMap(bus::publish).blockLast(WAIT);

    eventually().untilAsserted(() -> assertThat(seen.values().stream().mapToInt(List::size).sum()).isEqualTo(120));
    assertThat(overlaps).as("events that started while another with the same key ran").isEmpty();
    assertThat(seen).hasSize(4).allSatisfy((key, payloads) -> assertThat(payloads).isSorted().hasSize(30));
  }

  @Test
  @DisplayName("with concurrency(n), events with different keys run at the same time")
  void differentKeysRunConcurrently() {
    EventBus bus = buses.started();
    Gate otherKeyStarted = buses.gate();
    EventLog finished = new EventLog();
    bus.subscribe("work.item", SubscribeOptions.defaults().async(true).concurrency(2), event -> {
      if (event.key().equals("a")) {
        // Completes only once the event with key b has started: impossible unless both run at once.
        return otherKeyStarted.whenOpen().then(Mono.fromRunnable(() -> finished.add(event)));
      }
      finished.add(event);
      otherKeyStarted.open();
      return Mono.empty();
    }).block(WAIT);

    publish(bus, Event.builder("work.item", 1).key("a").build());
    publish(bus, Event.builder("work.item", 2).key("b").build());

    finished.awaitSize(2);
    assertThat(finished.payloads()).containsExactly(2, 1);
  }

  @Test
  @DisplayName("with concurrency(n), a later event with the same key waits for the earlier one")
  void aLaterSameKeyEventWaitsForTheEarlierOne() {
    EventBus bus = buses.started();
    Gate firstMayFinish = buses.gate();
    EventLog started = new EventLog();
    bus.subscribe("work.item", SubscribeOptions.defaults().async(true).concurrency(4), event -> {
      started.add(event);
      return event.payload().equals("a1") ? firstMayFinish.whenOpen() : Mono.empty();
    }).block(WAIT);

    publish(bus, Event.builder("work.item", "a1").key("a").build());
    publish(bus, Event.builder("work.item", "a2").key("a").build());
    publish(bus, Event.builder("work.item", "b1").key("b").build());
    started.awaitSize(2);

    assertThat(started.payloads()).containsExactly("a1", "b1");
    firstMayFinish.open();
    started.awaitSize(3);
    assertThat(started.payloads()).containsExactly("a1", "b1", "a2");
  }
}
