package io.fluxbus.test;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxbus.Event;
import io.fluxbus.EventBus;
import io.fluxbus.PublishResult;
import io.fluxbus.SubscribeOptions;
import io.fluxbus.Subscription;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** Publish and subscribe basics: delivery, copies, laziness, event defaults and causation. */
abstract class PublishSubscribeContract extends ContractPart {

  PublishSubscribeContract(BusFixture buses) {
    super(buses);
  }

  @Test
  @DisplayName("a subscriber receives an event published on its topic")
  void subscriberReceivesAnEventPublishedOnItsTopic() {
    EventBus bus = buses.started();

    StepVerifier.create(bus.subscribe("order.placed"))
        .then(() -> publish(bus, "order.placed", "o-1"))
        .assertNext(event -> {
          assertThat(event.topic()).isEqualTo("order.placed");
          assertThat(event.payload()).isEqualTo("o-1");
        })
        .thenCancel()
        .verify(WAIT);
  }

  @Test
  @DisplayName("every subscription of a topic gets its own copy of an event")
  void everySubscriptionGetsItsOwnCopy() {
    EventBus bus = buses.started();
    EventLog firstHandler = new EventLog();
    EventLog secondHandler = new EventLog();
    EventLog flux = new EventLog();
    subscribe(bus, "order.placed", firstHandler.handler());
    subscribe(bus, "order.placed", secondHandler.handler());
    bus.subscribe("order.placed").subscribe(flux::add);

    PublishResult result = publish(bus, "order.placed", "o-1");

    assertThat(result.delivered()).as("subscriptions that took the event").isEqualTo(3);
    assertThat(List.of(firstHandler, secondHandler, flux))
        .allSatisfy(log -> assertThat(log.ids()).containsExactly(result.eventId()));
  }

  @Test
  @DisplayName("an event on another topic does not reach a subscriber")
  void anEventOnAnotherTopicDoesNotReachASubscriber() {
    EventBus bus = buses.started();
    EventLog log = new EventLog();
    subscribe(bus, "order.placed", log.handler());

    PublishResult result = publish(bus, "order.cancelled", "o-1");

    assertThat(result.matched()).isZero();
    assertThat(log.size()).isZero();
  }

  @Test
  @DisplayName("nothing is published until the publish Mono is subscribed")
  void nothingIsPublishedUntilThePublishMonoIsSubscribed() {
    EventBus bus = buses.started();
    EventLog log = new EventLog();
    subscribe(bus, "order.placed", log.handler());

    Mono<PublishResult> pending = bus.publish("order.placed", "o-1");

    assertThat(log.size()).as("deliveries before the Mono is subscribed").isZero();
    assertThat(bus.stats().published()).isZero();
    assertThat(pending.block(WAIT).delivered()).isEqualTo(1);
    assertThat(log.size()).isEqualTo(1);
    assertThat(bus.stats().published()).isEqualTo(1);
  }

  @Test
  @DisplayName("a subscription is made when its Flux is subscribed, not when subscribe is called")
  void aFluxSubscriptionIsMadeOnSubscribe() {
    EventBus bus = buses.started();

    Flux<Event<Object>> notYetSubscribed = bus.subscribe("order.placed");

    assertThat(bus.subscriberCount("order.placed")).isZero();
    assertThat(bus.topics()).isEmpty();
    notYetSubscribed.subscribe();
    assertThat(bus.subscriberCount("order.placed")).isEqualTo(1);
    assertThat(bus.topics()).containsExactly("order.placed");
  }

  @Test
  @DisplayName("a handler subscription completes with an active subscription that describes it")
  void aHandlerSubscriptionDescribesItself() {
    EventBus bus = buses.started();

    Subscription sync = subscribe(bus, "order.*", new EventLog().handler());
    Subscription async = bus.subscribeAsync("order.#", new EventLog().handler()).block(WAIT);
    Subscription grouped = subscribe(bus, "order.placed", SubscribeOptions.defaults().group("billing"),
        new EventLog().handler());

    assertThat(sync.pattern()).isEqualTo("order.*");
    assertThat(sync.isAsync()).isFalse();
    assertThat(sync.group()).isEmpty();
    assertThat(sync.isActive()).isTrue();
    assertThat(async.pattern()).isEqualTo("order.#");
    assertThat(async.isAsync()).isTrue();
    assertThat(grouped.group()).contains("billing");
    assertThat(List.of(sync.id(), async.id(), grouped.id())).doesNotContainNull().doesNotHaveDuplicates()
        .allSatisfy(id -> assertThat(id).isNotBlank());
  }

  @Test
  @DisplayName("publish fills in the bus's source, the time, version 1 and correlation id = event id")
  void publishFillsInDefaults() {
    EventBus bus = buses.started();
    EventLog log = new EventLog();
    subscribe(bus, "order.placed", log.handler());
    Instant before = Instant.now();

    PublishResult result = bus.publish("order.placed", "o-1").block(WAIT);

    Instant after = Instant.now();
    Event<?> received = log.single();
    assertThat(received.id()).isEqualTo(result.eventId());
    assertThat(received.source()).isEqualTo(ContractSettings.defaults().source());
    // Generous bounds: this checks that a publish time is stamped, not how fast anything runs.
    assertThat(received.time()).isBetween(before.minusSeconds(1), after.plusSeconds(1));
    assertThat(received.version()).isEqualTo(1);
    assertThat(received.correlationId()).isEqualTo(received.id());
    assertThat(received.causationId()).isNull();
    assertThat(received.key()).isNull();
    assertThat(received.headers()).isEmpty();
  }

  @Test
  @DisplayName("an event's own id, source, time, key, version and headers arrive unchanged")
  void anEventsOwnAttributesArriveUnchanged() {
    EventBus bus = buses.started();
    EventLog log = new EventLog();
    subscribe(bus, "order.placed", log.handler());
    Event<String> event = Event.builder("order.placed", "o-1")
        .source("billing-service")
        .time(Instant.parse("2024-05-01T10:15:30Z"))
        .key("customer-7")
        .version(3)
        .correlationId("conversation-1")
        .header("tenant", "acme")
        .build();

    publish(bus, event);

    assertThat(log.single()).isEqualTo(event);
  }

  @Test
  @DisplayName("causedBy keeps the root's correlation id along a chain and records each cause")
  void causedByChainsKeepTheCorrelationId() {
    EventBus bus = buses.started();
    EventLog invoices = new EventLog();
    EventLog emails = new EventLog();
    subscribe(bus, "order.placed", order ->
        bus.publish(Event.builder("invoice.created", "i-1").causedBy(order).build()).then());
    subscribe(bus, "invoice.created", invoice -> {
      invoices.add(invoice);
      return bus.publish(Event.builder("email.sent", "e-1").causedBy(invoice).build()).then();
    });
    subscribe(bus, "email.sent", emails.handler());
    Event<String> order = Event.of("order.placed", "o-1");

    publish(bus, order);

    emails.awaitSize(1);
    Event<?> invoice = invoices.single();
    Event<?> email = emails.single();
    assertThat(invoice.correlationId()).isEqualTo(order.id());
    assertThat(invoice.causationId()).isEqualTo(order.id());
    assertThat(email.correlationId()).isEqualTo(order.id());
    assertThat(email.causationId()).isEqualTo(invoice.id());
  }
}
