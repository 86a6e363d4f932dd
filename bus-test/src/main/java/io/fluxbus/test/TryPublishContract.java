package io.fluxbus.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fluxbus.BusNotStartedException;
import io.fluxbus.DeliveryMode;
import io.fluxbus.Event;
import io.fluxbus.EventBus;
import io.fluxbus.PublishResult;
import io.fluxbus.SubscribeOptions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@link EventBus#tryPublish(Event)}, the eager publish: the same delivery, stamping, delivery modes and counters
 * as {@link EventBus#publish(Event)}; in-process, done on the calling thread with its result returned, or
 * {@code null} while part of it still waits.
 */
abstract class TryPublishContract extends ContractPart {

  TryPublishContract(BusFixture buses) {
    super(buses);
  }

  private boolean inProcess() {
    return buses.capabilities().syncOnPublishingThread();
  }

  /**
   * Whether {@code bus} publishes eagerly: its {@code tryPublish} ends during the call (the memory engine, or a
   * router over memory engines). An engine that runs sync subscribers on the publishing thread may still send the
   * event to a server first (Redis pub/sub), and its result then comes after the call. Probed with a publish that
   * nobody subscribes to.
   */
  private static boolean eager(EventBus bus) {
    return bus.tryPublish("probe.eager", "probe") != null;
  }

  @Test
  @DisplayName("tryPublish delivers to sync and async subscribers, stamps the source and counts a publish")
  void tryPublishDeliversLikePublish() {
    // catches a tryPublish that skips the stamping, the counters, or (in-process) returns before sync delivery
    EventBus bus = buses.started();
    EventLog sync = new EventLog();
    EventLog async = new EventLog();
    subscribe(bus, "order.placed", sync.handler());
    subscribe(bus, "order.placed", options(true), async.handler());
    boolean eager = inProcess() && eager(bus);
    if (inProcess()) {
      // the probe's publish is counted before the one measured here
      eventually().until(() -> bus.stats().published() > 0);
    }
    Event<String> event = Event.of("order.placed", "o-1");
    long publishedBefore = bus.stats().published();

    PublishResult result = bus.tryPublish(event);

    if (eager) {
      assertThat(result).isEqualTo(new PublishResult(event.id(), 2, 0));
      assertThat(sync.payloads()).as("sync subscriber, before tryPublish returned").containsExactly("o-1");
    } else if (result != null) {
      assertThat(result.eventId()).isEqualTo(event.id());
    }
    eventually().untilAsserted(() -> {
      assertThat(sync.payloads()).containsExactly("o-1");
      assertThat(async.payloads()).containsExactly("o-1");
    });
    assertThat(sync.events()).singleElement().satisfies(received -> {
      assertThat(received.id()).isEqualTo(event.id());
      assertThat(received.source()).isEqualTo(ContractSettings.defaults().source());
    });
    eventually().untilAsserted(() -> assertThat(bus.stats().published()).isEqualTo(publishedBefore + 1));
  }

  @Test
  @DisplayName("tryPublish on a bus that is not started throws BusNotStartedException")
  void tryPublishOnAStoppedBusThrows() {
    Assumptions.assumeTrue(inProcess(), "remote engines may signal a refused publish after tryPublish returned");
    EventBus bus = buses.created(ContractSettings.defaults());

    assertThatThrownBy(() -> bus.tryPublish("order.placed", "o-1")).isInstanceOf(BusNotStartedException.class);
  }

  @Test
  @DisplayName("tryPublish in drop mode counts an event for a full buffer as dropped, as publish does")
  void tryPublishDropsForAFullBuffer() {
    // catches a tryPublish that waits, or counts the refused event as delivered
    EventBus bus = buses.started();
    Assumptions.assumeTrue(inProcess() && eager(bus), "the result of a remote tryPublish may come after the call");
    ControlledSubscriber<Event<Object>> slow = buses.withoutDemand(bus.subscribe("work.item", Object.class,
        SubscribeOptions.defaults().async(true).bufferSize(1).deliveryMode(DeliveryMode.drop())));

    PublishResult first = bus.tryPublish("work.item", 1);
    PublishResult second = bus.tryPublish("work.item", 2);

    assertThat(first.delivered()).isEqualTo(1);
    assertThat(second.dropped()).isEqualTo(1);
    slow.request(Long.MAX_VALUE);
    eventually().untilAsserted(() -> assertThat(payloads(slow.values())).containsExactly(1));
    assertThat(bus.stats().dropped()).isEqualTo(1);
  }

  @Test
  @DisplayName("tryPublish in block mode leaves a waiting event queued, never blocks, and it is delivered once")
  void tryPublishLeavesAWaitingEventQueued() {
    // catches a tryPublish that blocks its thread, drops the waiting event, or delivers it twice
    EventBus bus = buses.started();
    Assumptions.assumeTrue(inProcess() && eager(bus), "the result of a remote tryPublish may come after the call");
    ControlledSubscriber<Event<Object>> slow = buses.withoutDemand(bus.subscribe("work.item", Object.class,
        SubscribeOptions.defaults().async(true).bufferSize(1).deliveryMode(DeliveryMode.block())));

    assertThat(bus.tryPublish("work.item", 1).delivered()).isEqualTo(1);
    PublishResult waiting = bus.tryPublish("work.item", 2);

    assertThat(waiting).as("a publish still waiting for room").isNull();
    slow.request(Long.MAX_VALUE);
    eventually().untilAsserted(() -> {
      assertThat(payloads(slow.values())).containsExactly(1, 2);
      assertThat(bus.stats().delivered()).isEqualTo(2);
    });
    assertThat(bus.stats().dropped()).isZero();
  }
}
