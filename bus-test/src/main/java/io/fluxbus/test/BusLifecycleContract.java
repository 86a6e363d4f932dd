package io.fluxbus.test;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxbus.BusNotStartedException;
import io.fluxbus.Event;
import io.fluxbus.EventBus;
import io.fluxbus.LifecycleEvent.Type;
import io.fluxbus.LifecycleEvent;
import io.fluxbus.SubscribeOptions;
import io.fluxbus.Subscription;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * Start, stop and restart: publish needs a started bus; stop drains buffered events (for up to the drain timeout),
 * counts the rest as dropped and completes every subscription; a restarted bus has no subscriptions left over.
 */
abstract class BusLifecycleContract extends ContractPart {

  BusLifecycleContract(BusFixture buses) {
    super(buses);
  }

  @Test
  @DisplayName("publish before start signals BusNotStartedException")
  void publishBeforeStartSignalsBusNotStarted() {
    EventBus bus = buses.created();

    StepVerifier.create(bus.publish("order.placed", "o-1")).expectError(BusNotStartedException.class).verify(WAIT);
    assertThat(bus.stats().published()).isZero();
  }

  @Test
  @DisplayName("publish after stop signals BusNotStartedException")
  void publishAfterStopSignalsBusNotStarted() {
    EventBus bus = buses.started();
    bus.stop().block(WAIT);

    StepVerifier.create(bus.publish("order.placed", "o-1")).expectError(BusNotStartedException.class).verify(WAIT);
    assertThat(bus.stats().published()).isZero();
  }

  @Test
  @DisplayName("start and stop are idempotent, and a stopped bus starts again")
  void startAndStopAreIdempotent() {
    EventBus bus = buses.created();

    StepVerifier.create(bus.start().then(bus.start())).expectComplete().verify(WAIT);
    StepVerifier.create(bus.stop().then(bus.stop())).expectComplete().verify(WAIT);
    StepVerifier.create(bus.start()).expectComplete().verify(WAIT);

    assertThat(publish(bus, "order.placed", "o-1").matched()).isZero();
  }

  @Test
  @DisplayName("stop waits for in-flight handlers and buffered events, refusing new publishes meanwhile")
  void stopDrainsBufferedEventsAndRefusesNewPublishes() {
    EventBus bus = buses.started();
    Gate firstMayFinish = buses.gate();
    EventLog started = new EventLog();
    bus.subscribeAsync("work.item", event -> {
      started.add(event);
      return event.payload().equals(1) ? firstMayFinish.whenOpen() : Mono.empty();
    }).block(WAIT);
    for (int i = 1; i <= 5; i++) {
      publish(bus, "work.item", i);
    }
    started.awaitSize(1);

    CompletableFuture<Void> stopping = bus.stop().toFuture();

    assertThat(stopping).as("stop while a handler is in flight").isNotDone();
    StepVerifier.create(bus.publish("work.item", 6)).expectError(BusNotStartedException.class).verify(WAIT);
    firstMayFinish.open();
    assertThat(stopping).succeedsWithin(WAIT);
    assertThat(started.payloads()).containsExactly(1, 2, 3, 4, 5);
    assertThat(bus.stats().delivered()).isEqualTo(5);
    assertThat(bus.stats().dropped()).isZero();
  }

  @Test
  @DisplayName("stop delivers what is buffered for an async Flux, then completes it")
  void stopDeliversBufferedEventsThenCompletesTheFlux() {
    EventBus bus = buses.started();
    ControlledSubscriber<Event<Object>> slow = buses.withoutDemand(bus.subscribeAsync("work.item"));
    for (int i = 1; i <= 3; i++) {
      publish(bus, "work.item", i);
    }

    CompletableFuture<Void> stopping = bus.stop().toFuture();
    slow.request(Long.MAX_VALUE);

    assertThat(stopping).succeedsWithin(WAIT);
    eventually().untilAsserted(() -> assertThat(slow.isCompleted()).as("Flux completed").isTrue());
    assertThat(payloads(slow.values())).containsExactly(1, 2, 3);
    assertThat(slow.error()).isNull();
  }

  @Test
  @DisplayName("stop completes sync subscription Fluxes and deactivates handler subscriptions")
  void stopCompletesEverySubscription() {
    EventBus bus = buses.started();
    Subscription handler = subscribe(bus, "order.placed", new EventLog().handler());

    StepVerifier.create(bus.subscribe("order.placed"))
        .then(() -> bus.stop().block(WAIT))
        .expectComplete()
        .verify(WAIT);

    assertThat(handler.isActive()).isFalse();
  }

  @ParameterizedTest(name = "drain timeout {0}")
  @ValueSource(strings = {"PT0.1S", "PT0.000000001S"})
  @DisplayName("events still buffered when the drain timeout ends are counted as dropped before stop completes")
  void eventsLeftAfterTheDrainTimeoutAreDropped(String drainTimeout) {
    EventBus bus = buses.started(ContractSettings.defaults().withDrainTimeout(Duration.parse(drainTimeout)));
    LifecycleRecorder lifecycle = buses.lifecycleOf(bus);
    Gate neverDuringTheTest = buses.gate();
    EventLog started = new EventLog();
    bus.subscribeAsync("work.item", event -> {
      started.add(event);
      return neverDuringTheTest.whenOpen();
    }).block(WAIT);
    for (int i = 1; i <= 4; i++) {
      publish(bus, "work.item", i);
    }
    started.awaitSize(1);

    StepVerifier.create(bus.stop()).expectComplete().verify(WAIT);

    // No waiting here: stop completes only after it has counted what remained (docs/architecture.md, "Lifecycle").
    assertThat(bus.stats().dropped()).as("dropped when stop completed").isEqualTo(3);
    assertThat(bus.stats().delivered()).isEqualTo(1);
    assertThat(started.payloads()).containsExactly(1);
    lifecycle.awaitCount(Type.EVENT_DROPPED, event -> "stopped".equals(event.reason()), 3);
  }

  @Test
  @DisplayName("a restarted bus has no subscriptions left over from before the stop")
  void aRestartedBusHasNoLeftoverSubscriptions() {
    EventBus bus = buses.started();
    EventLog handlerLog = new EventLog();
    Subscription sync = subscribe(bus, "order.placed", handlerLog.handler());
    Subscription async = bus.subscribeAsync("order.#", handlerLog.handler()).block(WAIT);
    Subscription grouped = subscribe(bus, "order.*", SubscribeOptions.defaults().group("billing"),
        handlerLog.handler());
    ControlledSubscriber<Event<Object>> syncFlux = buses.unbounded(bus.subscribe("order.placed"));
    ControlledSubscriber<Event<Object>> asyncFlux = buses.unbounded(bus.subscribeAsync("#"));

    bus.stop().block(WAIT);
    bus.start().block(WAIT);

    assertThat(bus.topics()).isEmpty();
    assertThat(bus.subscriberCount("order.placed")).isZero();
    assertThat(List.of(sync, async, grouped)).noneMatch(Subscription::isActive);
    eventually().untilAsserted(() -> assertThat(List.of(syncFlux, asyncFlux)).allMatch(ControlledSubscriber::isCompleted));
    assertThat(publish(bus, "order.placed", "after restart").matched()).isZero();
    assertThat(handlerLog.size()).isZero();
    assertThat(syncFlux.values()).isEmpty();
    EventLog fresh = new EventLog();
    subscribe(bus, "order.placed", fresh.handler());
    assertThat(publish(bus, "order.placed", "to the new subscription").delivered()).isEqualTo(1);
    assertThat(fresh.size()).isEqualTo(1);
  }

  @Test
  @DisplayName("lifecycle reports start and stop, and stays open across a restart")
  void lifecycleReportsStartAndStop() {
    EventBus bus = buses.created();
    LifecycleRecorder lifecycle = buses.lifecycleOf(bus);

    bus.start().block(WAIT);
    lifecycle.awaitCount(Type.BUS_STARTED, event -> true, 1);
    bus.stop().block(WAIT);
    lifecycle.awaitCount(Type.BUS_STOPPED, event -> true, 1);
    bus.start().block(WAIT);
    lifecycle.awaitCount(Type.BUS_STARTED, event -> true, 2);

    assertThat(lifecycle.termination()).as("lifecycle() termination").isNull();
    assertThat(lifecycle.events()).allSatisfy(event -> {
      assertThat(event.engine()).isNotBlank();
      assertThat(event.time()).isNotNull();
    });
  }

  @Test
  @DisplayName("lifecycle reports a subscription when it is created and when it is removed")
  void lifecycleReportsSubscriptions() {
    EventBus bus = buses.started();
    LifecycleRecorder lifecycle = buses.lifecycleOf(bus);

    Subscription subscription = subscribe(bus, "order.*", new EventLog().handler());
    LifecycleEvent created = lifecycle.await(Type.SUBSCRIPTION_CREATED,
        event -> subscription.id().equals(event.subscriptionId()));
    subscription.cancel().block(WAIT);
    LifecycleEvent removed = lifecycle.await(Type.SUBSCRIPTION_REMOVED,
        event -> subscription.id().equals(event.subscriptionId()));

    assertThat(created.pattern()).isEqualTo("order.*");
    assertThat(removed.pattern()).isEqualTo("order.*");
  }

  @Test
  @DisplayName("lifecycle reports a Flux subscription and the removal of every subscription at stop")
  void lifecycleReportsFluxSubscriptionsAndRemovalsAtStop() {
    EventBus bus = buses.started();
    LifecycleRecorder lifecycle = buses.lifecycleOf(bus);
    bus.subscribe("order.placed").subscribe();
    Subscription handler = subscribe(bus, "billing.#", new EventLog().handler());
    lifecycle.await(Type.SUBSCRIPTION_CREATED, event -> "order.placed".equals(event.pattern()));

    bus.stop().block(WAIT);

    lifecycle.await(Type.SUBSCRIPTION_REMOVED, event -> "order.placed".equals(event.pattern()));
    lifecycle.await(Type.SUBSCRIPTION_REMOVED, event -> handler.id().equals(event.subscriptionId()));
    lifecycle.await(Type.BUS_STOPPED, event -> true);
  }

  @Test
  @DisplayName("lifecycle reports an event dropped for a full buffer, with the event, subscription and reason")
  void lifecycleReportsDrops() {
    EventBus bus = buses.started(ContractSettings.defaults().withBufferSize(1));
    LifecycleRecorder lifecycle = buses.lifecycleOf(bus);
    buses.withoutDemand(bus.subscribeAsync("work.item"));
    publish(bus, "work.item", 1);

    String dropped = publish(bus, "work.item", 2).eventId();

    LifecycleEvent report = lifecycle.await(Type.EVENT_DROPPED, event -> dropped.equals(event.eventId()));
    assertThat(report.reason()).isEqualTo("buffer_full");
    assertThat(report.pattern()).isEqualTo("work.item");
    assertThat(report.subscriptionId()).isNotBlank();
  }
}
