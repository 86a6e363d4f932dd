package io.fluxbus.test;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxbus.Event;
import io.fluxbus.EventBus;
import io.fluxbus.EventHandler;
import io.fluxbus.PublishResult;
import io.fluxbus.SubscribeOptions;
import io.fluxbus.Subscription;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;

/**
 * The base of each part of {@link EventBusContract}: the test's {@link BusFixture} and small helpers that
 * block the test thread (never a Reactor thread) for a bounded time.
 */
abstract class ContractPart {

  /** The longest any single step of a contract test waits. */
  static final Duration WAIT = Duration.ofSeconds(10);

  /** The buses and other resources of the running test. */
  final BusFixture buses;

  ContractPart(BusFixture buses) {
    this.buses = buses;
  }

  /** A bounded Awaitility wait that polls often, so that passing tests stay fast. */
  static ConditionFactory eventually() {
    return Awaitility.await().atMost(WAIT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(2));
  }

  /** Publishes on the test thread and returns the result. */
  static PublishResult publish(EventBus bus, String topic, Object payload) {
    return publish(bus, Event.of(topic, payload));
  }

  /** Publishes on the test thread and returns the result. */
  static PublishResult publish(EventBus bus, Event<?> event) {
    PublishResult result = bus.publish(event).block(WAIT);
    assertThat(result).as("result of publishing on '%s'", event.topic()).isNotNull();
    assertThat(result.eventId()).as("PublishResult.eventId").isEqualTo(event.id());
    return result;
  }

  /** Makes a handler subscription and waits until it is active. */
  static Subscription subscribe(EventBus bus, String pattern, EventHandler handler) {
    Subscription subscription = bus.subscribe(pattern, handler).block(WAIT);
    assertThat(subscription).as("subscription to '%s'", pattern).isNotNull();
    return subscription;
  }

  /** Makes a handler subscription with options and waits until it is active. */
  static Subscription subscribe(EventBus bus, String pattern, SubscribeOptions options, EventHandler handler) {
    Subscription subscription = bus.subscribe(pattern, options, handler).block(WAIT);
    assertThat(subscription).as("subscription to '%s'", pattern).isNotNull();
    return subscription;
  }

  /** Sync or async handler subscription options. */
  static SubscribeOptions options(boolean async) {
    return SubscribeOptions.defaults().async(async);
  }

  /** The payloads of some events, in order. */
  static List<Object> payloads(List<? extends Event<?>> events) {
    return events.stream().<Object>map(Event::payload).toList();
  }
}
