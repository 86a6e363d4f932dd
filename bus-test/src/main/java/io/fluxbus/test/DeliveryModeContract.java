package io.fluxbus.test;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxbus.DeliveryMode;
import io.fluxbus.Event;
import io.fluxbus.EventBus;
import io.fluxbus.LifecycleEvent;
import io.fluxbus.PublishResult;
import io.fluxbus.SubscribeOptions;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.test.StepVerifier;

/**
 * What publish does when a subscription cannot take an event (full async buffer, or a sync Flux without demand):
 * {@code drop} refuses at once, {@code block} waits without holding a thread, {@code timeout(d)} waits at most d.
 * {@link PublishResult} counts who took and who refused.
 */
abstract class DeliveryModeContract extends ContractPart {

  DeliveryModeContract(BusFixture buses) {
    super(buses);
  }

  @Test
  @DisplayName("drop: an event for a full async buffer is dropped for that subscription at once")
  void dropRefusesAnEventForAFullBuffer() {
    EventBus bus = buses.started(ContractSettings.defaults().withBufferSize(4));
    ControlledSubscriber<Event<Object>> slow = buses.withoutDemand(bus.subscribeAsync("work.item"));
    for (int i = 1; i <= 4; i++) {
      assertThat(publish(bus, "work.item", i).delivered()).as("event %d fits the buffer", i).isEqualTo(1);
    }

    PublishResult overflow = publish(bus, "work.item", 5);

    assertThat(overflow.delivered()).isZero();
    assertThat(overflow.dropped()).isEqualTo(1);
    assertThat(bus.stats().dropped()).isEqualTo(1);
    slow.request(Long.MAX_VALUE);
    eventually().untilAsserted(() -> assertThat(payloads(slow.values())).containsExactly(1, 2, 3, 4));
    // Order is kept per subscription, so a dropped 5 can no longer show up before 6.
    publish(bus, "work.item", 6);
    eventually().untilAsserted(() -> assertThat(payloads(slow.values())).containsExactly(1, 2, 3, 4, 6));
  }

  @Test
  @DisplayName("drop: an event for a sync Flux without demand is dropped")
  void dropRefusesAnEventForASyncFluxWithoutDemand() {
    EventBus bus = buses.started();
    ControlledSubscriber<Event<Object>> idle = buses.withoutDemand(bus.subscribe("work.item"));

    PublishResult refused = publish(bus, "work.item", 1);
    idle.request(1);
    PublishResult taken = publish(bus, "work.item", 2);

    assertThat(refused.dropped()).isEqualTo(1);
    assertThat(refused.delivered()).isZero();
    assertThat(taken.delivered()).isEqualTo(1);
    assertThat(payloads(idle.values())).containsExactly(2);
  }

  @Test
  @DisplayName("block: publish waits for room in a full async buffer without blocking its thread")
  void blockWaitsForRoomWithoutBlockingAThread() {
    EventBus bus = buses.started(ContractSettings.defaults().withDeliveryMode(DeliveryMode.block()).withBufferSize(2));
    // subscribed first, so it gets each event before the slow subscription is offered it: once it has event 3, the
    // publish is past everything an engine does before the local hand-off (an append, say), and what still holds
    // it can only be the full buffer
    EventLog handedOn = new EventLog();
    subscribe(bus, "work.item", handedOn.handler());
    ControlledSubscriber<Event<Object>> slow = buses.withoutDemand(bus.subscribeAsync("work.item"));
    assertThat(publish(bus, "work.item", 1).delivered()).isEqualTo(2);
    assertThat(publish(bus, "work.item", 2).delivered()).isEqualTo(2);
    Scheduler publisher = buses.singleThread("contract-publisher");

    CompletableFuture<PublishResult> waiting = bus.publish("work.item", 3).subscribeOn(publisher).toFuture();
    CompletableFuture<String> meanwhile = Mono.fromCallable(() -> "ran").subscribeOn(publisher).toFuture();

    assertThat(meanwhile).as("a task queued on the publishing thread behind the waiting publish: "
        + "it runs only if publish did not block the thread").succeedsWithin(WAIT);
    eventually().untilAsserted(() -> assertThat(handedOn.payloads()).contains(3));
    assertThat(waiting).as("publish into a full buffer in block mode, after the hand-off began").isNotDone();
    slow.request(1);
    assertThat(waiting).succeedsWithin(WAIT).satisfies(result -> {
      assertThat(result.delivered()).isEqualTo(2);
      assertThat(result.dropped()).isZero();
    });
    slow.request(Long.MAX_VALUE);
    eventually().untilAsserted(() -> assertThat(payloads(slow.values())).containsExactly(1, 2, 3));
  }

  @Test
  @DisplayName("block: publish waits for demand of a sync Flux subscriber")
  void blockWaitsForDemandOfASyncFlux() {
    EventBus bus = buses.started(ContractSettings.defaults().withDeliveryMode(DeliveryMode.block()));
    EventLog handedOn = new EventLog();
    subscribe(bus, "work.item", handedOn.handler());
    ControlledSubscriber<Event<Object>> idle = buses.withoutDemand(bus.subscribe("work.item"));

    CompletableFuture<PublishResult> waiting = bus.publish("work.item", 1).toFuture();

    eventually().untilAsserted(() -> assertThat(handedOn.payloads()).contains(1));
    assertThat(waiting).as("publish to a sync Flux without demand in block mode, after the hand-off began")
        .isNotDone();
    idle.request(1);
    assertThat(waiting).succeedsWithin(WAIT).satisfies(result -> assertThat(result.delivered()).isEqualTo(2));
    assertThat(payloads(idle.values())).containsExactly(1);
  }

  @Test
  @DisplayName("timeout: publish waits up to the timeout for room, then drops the event (virtual time)")
  void timeoutDropsTheEventAfterTheWait() {
    Duration wait = Duration.ofMinutes(5);
    EventBus bus = buses.started(
        ContractSettings.defaults().withDeliveryMode(DeliveryMode.timeout(wait)).withBufferSize(1));
    LifecycleRecorder lifecycle = buses.lifecycleOf(bus);
    ControlledSubscriber<Event<Object>> slow = buses.withoutDemand(bus.subscribeAsync("work.item"));
    assertThat(publish(bus, "work.item", 1).delivered()).isEqualTo(1);

    // The wait must be timed on Schedulers.parallel() (looked up at publish), so that virtual time drives it.
    StepVerifier.withVirtualTime(() -> bus.publish("work.item", 2))
        .expectSubscription()
        .expectNoEvent(wait.minusSeconds(1))
        .thenAwait(Duration.ofSeconds(1))
        .assertNext(result -> {
          assertThat(result.delivered()).isZero();
          assertThat(result.dropped()).isEqualTo(1);
        })
        .expectComplete()
        .verify(WAIT);

    assertThat(bus.stats().dropped()).isEqualTo(1);
    lifecycle.await(LifecycleEvent.Type.EVENT_DROPPED, event -> "timeout".equals(event.reason()));
    slow.request(Long.MAX_VALUE);
    publish(bus, "work.item", 3);
    eventually().untilAsserted(() -> assertThat(payloads(slow.values())).containsExactly(1, 3));
  }

  @Test
  @DisplayName("timeout: publish delivers when room appears before the timeout (virtual time)")
  void timeoutDeliversWhenRoomAppearsInTime() {
    Duration wait = Duration.ofMinutes(5);
    EventBus bus = buses.started(
        ContractSettings.defaults().withDeliveryMode(DeliveryMode.timeout(wait)).withBufferSize(1));
    ControlledSubscriber<Event<Object>> slow = buses.withoutDemand(bus.subscribeAsync("work.item"));
    assertThat(publish(bus, "work.item", 1).delivered()).isEqualTo(1);

    StepVerifier.withVirtualTime(() -> bus.publish("work.item", 2))
        .expectSubscription()
        .thenAwait(Duration.ofMinutes(1))
        .then(() -> slow.request(1))
        .assertNext(result -> {
          assertThat(result.delivered()).isEqualTo(1);
          assertThat(result.dropped()).isZero();
        })
        .expectComplete()
        .verify(WAIT);

    slow.request(Long.MAX_VALUE);
    eventually().untilAsserted(() -> assertThat(payloads(slow.values())).containsExactly(1, 2));
  }

  @Test
  @DisplayName("a subscription's own delivery mode and buffer size override the bus's")
  void subscriptionOptionsOverrideTheBusDefaults() {
    EventBus bus = buses.started();
    EventLog handedOn = new EventLog();
    subscribe(bus, "work.item", handedOn.handler());
    ControlledSubscriber<Event<Object>> slow = buses.withoutDemand(bus.subscribe("work.item",
        Object.class, SubscribeOptions.defaults().async(true).bufferSize(2).deliveryMode(DeliveryMode.block())));
    publish(bus, "work.item", 1);
    publish(bus, "work.item", 2);

    CompletableFuture<PublishResult> waiting = bus.publish("work.item", 3).toFuture();

    eventually().untilAsserted(() -> assertThat(handedOn.payloads()).contains(3));
    assertThat(waiting).as("third publish into a 2-event buffer in block mode, after the hand-off began")
        .isNotDone();
    slow.request(1);
    assertThat(waiting).succeedsWithin(WAIT).satisfies(result -> assertThat(result.delivered()).isEqualTo(2));
  }

  @Test
  @DisplayName("PublishResult counts the subscriptions that took the event and those that refused it")
  void publishResultCountsTakersAndRefusers() {
    EventBus bus = buses.started();
    subscribe(bus, "order.placed", new EventLog().handler());
    bus.subscribeAsync("order.placed", new EventLog().handler()).block(WAIT);
    bus.subscribe("order.#").subscribe();
    buses.withoutDemand(bus.subscribe("order.*"));
    Event<String> event = Event.of("order.placed", "o-1");

    PublishResult result = publish(bus, event);
    PublishResult unmatched = publish(bus, "billing.charged", "b-1");

    assertThat(result).isEqualTo(new PublishResult(event.id(), 3, 1));
    assertThat(result.matched()).isEqualTo(4);
    assertThat(unmatched.matched()).isZero();
    assertThat(bus.stats().published()).isEqualTo(2);
  }
}
