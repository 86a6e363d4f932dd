package io.fluxbus.test;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxbus.EventBus;
import io.fluxbus.PublishResult;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Sync subscriptions run on the publishing thread, in subscription order, and publish completes only after each
 * has taken the event.
 */
abstract class SyncDeliveryContract extends ContractPart {

  SyncDeliveryContract(BusFixture buses) {
    super(buses);
  }

  @Test
  @DisplayName("sync subscribers run on the publishing thread")
  void syncSubscribersRunOnThePublishingThread() {
    Assumptions.assumeTrue(buses.capabilities().syncOnPublishingThread(),
        "this engine delivers sync subscriptions on its own delivery thread (Capabilities.syncOnPublishingThread)");
    EventBus bus = buses.started();
    EventLog handler = new EventLog();
    EventLog flux = new EventLog();
    subscribe(bus, "order.placed", handler.handler());
    bus.subscribe("order.placed").subscribe(flux::add);
    Scheduler publisher = buses.singleThread("contract-publisher");

    bus.publish("order.placed", "o-1").subscribeOn(publisher).block(WAIT);

    assertThat(handler.threads()).singleElement().asString().startsWith("contract-publisher");
    assertThat(flux.threads()).singleElement().asString().startsWith("contract-publisher");
  }

  @Test
  @DisplayName("sync subscribers receive an event in the order they subscribed")
  void syncSubscribersReceiveAnEventInSubscriptionOrder() {
    EventBus bus = buses.started();
    List<String> calls = new CopyOnWriteArrayList<>();
    for (String name : List.of("first", "second", "third", "fourth")) {
      subscribe(bus, "order.placed", event -> Mono.fromRunnable(() -> calls.add(name)));
    }

    publish(bus, "order.placed", "o-1");

    assertThat(calls).containsExactly("first", "second", "third", "fourth");
  }

  @Test
  @DisplayName("a sync subscriber sees events in publish order")
  void aSyncSubscriberSeesEventsInPublishOrder() {
    EventBus bus = buses.started();
    EventLog log = new EventLog();
    subscribe(bus, "order.placed", log.handler());

    Flux.range(0, 50).concatMap(i -> bus.publish("order.placed", i)).blockLast(WAIT);

    assertThat(log.payloads()).containsExactlyElementsOf(IntStream.range(0, 50).boxed().toList());
  }

  @Test
  @DisplayName("publish completes only after a sync handler's Mono completes")
  void publishCompletesAfterTheSyncHandlersMono() {
    EventBus bus = buses.started();
    Gate handled = buses.gate();
    EventLog log = new EventLog();
    subscribe(bus, "order.placed", event -> {
      log.add(event);
      return handled.whenOpen();
    });

    CompletableFuture<PublishResult> publishing = bus.publish("order.placed", "o-1").toFuture();

    log.awaitSize(1);
    assertThat(publishing).as("publish while the sync handler's Mono is pending").isNotDone();
    handled.open();
    assertThat(publishing).succeedsWithin(WAIT)
        .satisfies(result -> assertThat(result.delivered()).isEqualTo(1));
  }

  @Test
  @DisplayName("publish completes only after a sync Flux subscriber's onNext returned")
  void publishCompletesAfterTheSyncSubscribersOnNext() {
    EventBus bus = buses.started();
    AtomicBoolean publishCompleted = new AtomicBoolean();
    List<Boolean> completedDuringOnNext = new CopyOnWriteArrayList<>();
    EventLog log = new EventLog();
    bus.subscribe("order.placed").subscribe(event -> {
      completedDuringOnNext.add(publishCompleted.get());
      log.add(event);
    });

    bus.publish("order.placed", "o-1").doOnNext(result -> publishCompleted.set(true)).block(WAIT);

    assertThat(log.size()).as("events taken when publish completed").isEqualTo(1);
    assertThat(completedDuringOnNext).containsExactly(false);
  }
}
