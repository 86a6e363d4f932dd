package io.fluxbus.test;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxbus.Event;
import io.fluxbus.EventBus;
import io.fluxbus.LifecycleEvent;
import io.fluxbus.RetryPolicy;
import io.fluxbus.StartPosition;
import io.fluxbus.SubscribeOptions;
import io.fluxbus.Subscription;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * What a durable log promises beyond the common contract ({@link Capabilities#durableLog()}): a group keeps its
 * place while it has no member, a new group starts at its {@code startFrom}, subscriptions replay, a group's
 * failures are dead-lettered by the engine, a {@code Flux} member's demand paces its reading, keys keep their
 * order, and an event in hand when the bus stops is delivered again.
 */
abstract class DurableLogContract extends ContractPart {

  private static final RetryPolicy TWO_QUICK_ATTEMPTS =
      RetryPolicy.exponential(2, Duration.ofMillis(1), Duration.ofMillis(5));

  DurableLogContract(BusFixture buses) {
    super(buses);
  }

  @BeforeEach
  void onlyForDurableLogs() {
    Assumptions.assumeTrue(buses.capabilities().durableLog(),
        "the engine has no durable log (Capabilities.durableLog): its groups take events at publish");
  }

  private static SubscribeOptions group(String name) {
    return SubscribeOptions.defaults().group(name);
  }

  @Test
  @DisplayName("a group keeps its place while it has no member: events published meanwhile wait for the next one")
  void aGroupKeepsItsPlaceWhileItHasNoMember() {
    EventBus bus = buses.started();
    EventLog first = new EventLog();
    Subscription member = subscribe(bus, "order.placed", group("billing"), first.handler());
    publish(bus, "order.placed", 1);
    first.awaitSize(1);
    member.cancel().block(WAIT);

    publish(bus, "order.placed", 2);
    publish(bus, "order.placed", 3);
    EventLog next = new EventLog();
    subscribe(bus, "order.placed", group("billing"), next.handler());

    eventually().untilAsserted(() -> assertThat(next.payloads()).containsExactly(2, 3));
    assertThat(first.payloads()).containsExactly(1);
  }

  @Test
  @DisplayName("a new group starts at the latest event by default")
  void aNewGroupStartsAtTheLatestEvent() {
    EventBus bus = buses.started();
    publish(bus, "order.placed", "before the group");
    EventLog log = new EventLog();
    subscribe(bus, "order.placed", group("billing"), log.handler());

    publish(bus, "order.placed", "after the group");

    log.awaitSize(1);
    assertThat(log.payloads()).containsExactly("after the group");
  }

  @Test
  @DisplayName("a new group starting at the earliest event reads what was published before it existed")
  void aGroupStartingAtTheEarliestEventReadsTheWholeLog() {
    EventBus bus = buses.started();
    publish(bus, "order.placed", "a");
    publish(bus, "order.placed", "b");
    EventLog log = new EventLog();

    subscribe(bus, "order.placed", group("audit").startFrom(StartPosition.earliest()), log.handler());
    publish(bus, "order.placed", "c");

    eventually().untilAsserted(() -> assertThat(log.payloads()).containsExactly("a", "b", "c"));
  }

  @Test
  @DisplayName("a subscription starting at the earliest event replays the log, then follows it")
  void anUngroupedSubscriptionReplaysFromTheEarliestEvent() {
    EventBus bus = buses.started();
    publish(bus, "order.placed", "a");
    publish(bus, "invoice.sent", "not matched");
    publish(bus, "order.paid", "b");

    ControlledSubscriber<Event<Object>> replay = buses.unbounded(
        bus.subscribe("order.*", Object.class, SubscribeOptions.defaults().startFrom(StartPosition.earliest())));
    publish(bus, "order.placed", "c");

    eventually().untilAsserted(() -> assertThat(payloads(replay.values())).containsExactly("a", "b", "c"));
    assertThat(bus.subscriberCount("order.placed")).as("a replaying subscription counts once").isEqualTo(1);
  }

  @Test
  @DisplayName("a subscription starting at a time skips events appended before it")
  void aSubscriptionStartingAtATimeSkipsOlderEvents() {
    EventBus bus = buses.started();
    publish(bus, "order.placed", "old");
    Instant appended = Instant.now();
    // let the clock move on, so that the start time lies clearly between the two appends
    eventually().until(() -> Instant.now().isAfter(appended.plusMillis(40)));
    Instant start = appended.plusMillis(20);
    publish(bus, "order.placed", "new");

    EventLog log = new EventLog();
    subscribe(bus, "order.placed", SubscribeOptions.defaults().startFrom(StartPosition.at(start)), log.handler());

    log.awaitSize(1);
    assertThat(log.payloads()).containsExactly("new");
  }

  @Test
  @DisplayName("a group member's last failure is dead-lettered by the engine with the error, and others flow on")
  void aGroupsFailureIsDeadLetteredWithTheError() {
    EventBus bus = buses.started();
    LifecycleRecorder lifecycle = buses.lifecycleOf(bus);
    EventLog deadLetters = new EventLog();
    EventLog handled = new EventLog();
    AtomicInteger attempts = new AtomicInteger();
    subscribe(bus, "order.placed.dlq", deadLetters.handler());
    subscribe(bus, "order.placed", group("billing").retry(TWO_QUICK_ATTEMPTS), event -> {
      if ("poison".equals(event.payload())) {
        attempts.incrementAndGet();
        return Mono.error(new IllegalStateException("card expired"));
      }
      handled.add(event);
      return Mono.empty();
    });
    Event<Object> poison = Event.builder("order.placed", (Object) "poison").key("customer-7").build();

    publish(bus, poison);
    publish(bus, "order.placed", "fine");

    deadLetters.awaitSize(1);
    handled.awaitSize(1);
    Event<?> letter = deadLetters.single();
    assertThat(letter.payload()).isEqualTo("poison");
    assertThat(letter.key()).isEqualTo("customer-7");
    assertThat(letter.correlationId()).isEqualTo(poison.correlationId());
    assertThat(letter.headers()).containsEntry("dlqgroup", "billing").containsEntry("dlqtopic", "order.placed")
        .containsEntry("dlqattempts", "2");
    assertThat(letter.headers().get("dlqerror")).contains("card expired");
    assertThat(attempts.get()).as("attempts of the poison event").isEqualTo(2);
    assertThat(payloads(handled.events())).containsExactly("fine");
    eventually().untilAsserted(() -> assertThat(bus.stats().failed()).isEqualTo(1));
    lifecycle.await(LifecycleEvent.Type.EVENT_DEAD_LETTERED, event -> poison.id().equals(event.eventId()));
  }

  @Test
  @DisplayName("a Flux member without demand takes nothing and loses nothing: events wait in the log")
  void aFluxMemberWithoutDemandLosesNothing() {
    EventBus bus = buses.started();
    ControlledSubscriber<Event<Object>> member =
        buses.withoutDemand(bus.subscribe("order.placed", Object.class, group("billing")));
    EventLog witness = new EventLog();
    subscribe(bus, "order.placed", group("audit"), witness.handler());
    for (int i = 0; i < 5; i++) {
      publish(bus, "order.placed", i);
    }
    // another group has read all five: the member would have had them by now, had it taken any
    witness.awaitSize(5);
    assertThat(member.values()).isEmpty();
    assertThat(bus.stats().dropped()).isZero();

    member.request(5);

    eventually().untilAsserted(() -> assertThat(payloads(member.values())).containsExactly(0, 1, 2, 3, 4));
    assertThat(bus.stats().dropped()).isZero();
  }

  @Test
  @DisplayName("group and replay Flux subscriptions complete when the bus stops")
  void logServedFluxesCompleteOnStop() {
    EventBus bus = buses.started();
    List<ControlledSubscriber<Event<Object>>> fluxes = new CopyOnWriteArrayList<>();
    for (int i = 0; i < 20; i++) {
      fluxes.add(buses.unbounded(bus.subscribe("order.placed", Object.class, group("billing-" + (i % 4)))));
    }
    fluxes.add(buses.unbounded(bus.subscribe("order.#", Object.class,
        SubscribeOptions.defaults().startFrom(StartPosition.earliest()))));
    publish(bus, "order.placed", "one");

    bus.stop().block(WAIT);

    eventually().untilAsserted(() -> assertThat(fluxes).allMatch(ControlledSubscriber::isCompleted));
  }

  @Test
  @DisplayName("a publish runs to its end once subscribed: a subscriber that cancels does not keep the event from "
      + "this bus's subscriptions")
  void aCancelledPublishStillReachesThisBus() {
    EventBus bus = buses.started();
    EventLog ordinary = new EventLog();
    EventLog grouped = new EventLog();
    subscribe(bus, "order.placed", ordinary.handler());
    subscribe(bus, "order.placed", group("billing"), grouped.handler());

    bus.publish("order.placed", "cancelled at once").subscribe().dispose();
    publish(bus, "order.placed", "awaited");

    eventually().untilAsserted(() -> {
      assertThat(ordinary.payloads()).containsExactlyInAnyOrder("cancelled at once", "awaited");
      assertThat(grouped.payloads()).containsExactlyInAnyOrder("cancelled at once", "awaited");
    });
  }

  @Test
  @DisplayName("a replaying subscription's last failure is dead-lettered, and the letter reaches this bus too")
  void aReplaysFailureIsDeadLetteredHereToo() {
    EventBus bus = buses.started();
    EventLog deadLetters = new EventLog();
    subscribe(bus, "order.placed.dlq", deadLetters.handler());
    subscribe(bus, "order.placed", SubscribeOptions.defaults().startFrom(StartPosition.earliest())
        .retry(TWO_QUICK_ATTEMPTS), event -> Mono.error(new IllegalStateException("cannot replay " + event.payload())));

    publish(bus, "order.placed", "poison");

    deadLetters.awaitSize(1);
    Event<?> letter = deadLetters.single();
    assertThat(letter.payload()).isEqualTo("poison");
    assertThat(letter.headers()).containsEntry("dlqtopic", "order.placed").containsEntry("dlqattempts", "2")
        .containsKey("dlqsubscription");
    assertThat(letter.headers().get("dlqerror")).contains("cannot replay poison");
  }

  @Test
  @DisplayName("events with the same key are handled in order by a group member with concurrency")
  void aGroupKeepsPerKeyOrderWithConcurrency() {
    EventBus bus = buses.started();
    Map<String, List<Integer>> seen = new ConcurrentHashMap<>();
    subscribe(bus, "order.placed", group("billing").async(true).concurrency(4), event -> {
      int sequence = event.payloadAs(Integer.class);
      // uneven handling times, so that a lane without per-key order would reorder
      return Mono.delay(Duration.ofMillis(sequence % 3))
          .then(Mono.fromRunnable(() -> seen.computeIfAbsent(event.key(), k -> new CopyOnWriteArrayList<>())
              .add(sequence)));
    });

    for (int sequence = 0; sequence < 10; sequence++) {
      for (String key : List.of("k1", "k2", "k3", "k4")) {
        publish(bus, Event.builder("order.placed", (Object) sequence).key(key).build());
      }
    }

    eventually().untilAsserted(() -> assertThat(seen.values().stream().mapToInt(List::size).sum()).isEqualTo(40));
    assertThat(seen).allSatisfy((key, sequences) ->
        assertThat(sequences).as("order of key %s", key).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9));
  }

  @Test
  @DisplayName("an event a group member had in hand when the bus stopped is delivered again after a restart")
  void anEventInHandWhenTheBusStopsIsDeliveredAgain() {
    EventBus bus = buses.started(ContractSettings.defaults().withDrainTimeout(Duration.ofMillis(200)));
    Gate gate = buses.gate();
    EventLog started = new EventLog();
    subscribe(bus, "order.placed", group("billing"), event -> {
      started.add(event);
      return gate.whenOpen();
    });
    String id = publish(bus, "order.placed", "in hand").eventId();
    started.awaitSize(1);

    bus.stop().block(WAIT);
    bus.start().block(WAIT);
    EventLog again = new EventLog();
    subscribe(bus, "order.placed", group("billing"), again.handler());

    again.awaitSize(1);
    assertThat(again.ids()).containsExactly(id);
  }
}
