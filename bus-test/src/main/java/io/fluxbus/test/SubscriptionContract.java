package io.fluxbus.test;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxbus.Event;
import io.fluxbus.EventBus;
import io.fluxbus.LifecycleEvent;
import io.fluxbus.PublishResult;
import io.fluxbus.Subscription;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.Disposable;
import reactor.test.StepVerifier;

/**
 * Unsubscribing: bookkeeping ({@code topics()}, {@code subscriberCount}) drops a subscription at once, nothing
 * reaches it afterwards, and what was buffered for it is counted as dropped.
 */
abstract class SubscriptionContract extends ContractPart {

  SubscriptionContract(BusFixture buses) {
    super(buses);
  }

  @ParameterizedTest(name = "async: {0}")
  @ValueSource(booleans = {false, true})
  @DisplayName("once unsubscribe completes, no event reaches the subscription")
  void onceUnsubscribeCompletesNoEventReachesTheSubscription(boolean async) {
    EventBus bus = buses.started();
    EventLog log = new EventLog();
    Subscription subscription = subscribe(bus, "order.placed", options(async), log.handler());
    publish(bus, "order.placed", "before");
    log.awaitSize(1);

    StepVerifier.create(bus.unsubscribe(subscription)).expectComplete().verify(WAIT);
    PublishResult after = publish(bus, "order.placed", "after");

    assertThat(subscription.isActive()).isFalse();
    assertThat(bus.subscriberCount("order.placed")).isZero();
    assertThat(after.delivered()).isZero();
    assertThat(after.dropped()).isZero();
    assertThat(log.payloads()).containsExactly("before");
  }

  @Test
  @DisplayName("Subscription.cancel removes the subscription from topics() and subscriberCount at once")
  void cancelRemovesBookkeepingAtOnce() {
    EventBus bus = buses.started();
    Subscription users = subscribe(bus, "user.*", new EventLog().handler());
    subscribe(bus, "order.placed", new EventLog().handler());

    users.cancel().block(WAIT);

    assertThat(bus.topics()).containsExactly("order.placed");
    assertThat(bus.subscriberCount("user.created")).isZero();
    assertThat(bus.subscriberCount("order.placed")).isEqualTo(1);
  }

  @Test
  @DisplayName("a pattern stays in topics() until its last subscription leaves")
  void aPatternStaysListedUntilItsLastSubscriptionLeaves() {
    EventBus bus = buses.started();
    Subscription first = subscribe(bus, "user.*", new EventLog().handler());
    Subscription second = subscribe(bus, "user.*", new EventLog().handler());

    first.cancel().block(WAIT);
    assertThat(bus.topics()).containsExactly("user.*");
    assertThat(bus.subscriberCount("user.created")).isEqualTo(1);

    second.cancel().block(WAIT);
    assertThat(bus.topics()).isEmpty();
    assertThat(bus.subscriberCount("user.created")).isZero();
  }

  @ParameterizedTest(name = "async: {0}")
  @ValueSource(booleans = {false, true})
  @DisplayName("cancelling a subscription's Flux removes the subscription at once")
  void cancellingAFluxRemovesTheSubscriptionAtOnce(boolean async) {
    EventBus bus = buses.started();
    EventLog log = new EventLog();
    Disposable flux = (async ? bus.subscribeAsync("order.placed") : bus.subscribe("order.placed")).subscribe(log::add);
    assertThat(bus.subscriberCount("order.placed")).isEqualTo(1);

    flux.dispose();

    assertThat(bus.subscriberCount("order.placed")).isZero();
    assertThat(bus.topics()).isEmpty();
    assertThat(publish(bus, "order.placed", "after").delivered()).isZero();
    assertThat(log.size()).isZero();
  }

  @Test
  @DisplayName("unsubscribe is idempotent and reports the removal once")
  void unsubscribeIsIdempotent() {
    EventBus bus = buses.started();
    LifecycleRecorder lifecycle = buses.lifecycleOf(bus);
    Subscription subscription = subscribe(bus, "order.placed", new EventLog().handler());

    subscription.cancel().block(WAIT);
    subscription.cancel().block(WAIT);
    bus.unsubscribe(subscription).block(WAIT);

    assertThat(subscription.isActive()).isFalse();
    lifecycle.awaitCount(LifecycleEvent.Type.SUBSCRIPTION_REMOVED,
        event -> subscription.id().equals(event.subscriptionId()), 1);
    // A duplicate report would come with the later cancels, which have completed by now.
    assertThat(lifecycle.ofType(LifecycleEvent.Type.SUBSCRIPTION_REMOVED)).hasSize(1);
  }

  @Test
  @DisplayName("events still buffered for a cancelled async subscription are counted as dropped")
  void eventsBufferedForACancelledSubscriptionAreDropped() {
    EventBus bus = buses.started();
    LifecycleRecorder lifecycle = buses.lifecycleOf(bus);
    ControlledSubscriber<Event<Object>> stalled = buses.withoutDemand(bus.subscribeAsync("work.item"));
    for (int i = 0; i < 3; i++) {
      assertThat(publish(bus, "work.item", i).delivered()).as("accepted into the buffer").isEqualTo(1);
    }

    stalled.dispose();

    eventually().untilAsserted(() -> assertThat(bus.stats().dropped()).isEqualTo(3));
    assertThat(bus.stats().delivered()).isZero();
    assertThat(stalled.values()).isEmpty();
    lifecycle.awaitCount(LifecycleEvent.Type.EVENT_DROPPED, event -> "unsubscribed".equals(event.reason()), 3);
  }

  @Test
  @DisplayName("a subscription made before start receives events once the bus is started")
  void aSubscriptionMadeBeforeStartReceivesEvents() {
    EventBus bus = buses.created();
    EventLog handler = new EventLog();
    EventLog flux = new EventLog();
    subscribe(bus, "order.placed", handler.handler());
    bus.subscribe("order.placed").subscribe(flux::add);

    bus.start().block(WAIT);
    PublishResult result = publish(bus, "order.placed", "o-1");

    assertThat(result.delivered()).isEqualTo(2);
    assertThat(handler.size()).isEqualTo(1);
    assertThat(flux.size()).isEqualTo(1);
  }
}
