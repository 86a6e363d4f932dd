package io.fluxbus.test;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxbus.Event;
import io.fluxbus.EventBus;
import io.fluxbus.LifecycleEvent;
import io.fluxbus.SubscribeOptions;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/**
 * Typed subscriptions convert payloads to the requested type; an event whose payload does not convert is skipped,
 * counted as failed and reported, and the subscription goes on.
 */
abstract class TypedPayloadContract extends ContractPart {

  TypedPayloadContract(BusFixture buses) {
    super(buses);
  }

  @ParameterizedTest(name = "async: {0}")
  @ValueSource(booleans = {false, true})
  @DisplayName("a Map payload arrives converted to the subscriber's record type")
  void aMapPayloadArrivesAsTheRequestedRecord(boolean async) {
    EventBus bus = buses.started();
    Event<Map<String, Object>> event = Event.of("order.placed", Map.of("orderId", "o-1", "total", 4200));

    Flux<Event<OrderPlaced>> orders = async
        ? bus.subscribeAsync("order.placed", OrderPlaced.class)
        : bus.subscribe("order.placed", OrderPlaced.class);

    StepVerifier.create(orders)
        .then(() -> publish(bus, event))
        .assertNext(received -> {
          assertThat(received.payload()).isEqualTo(new OrderPlaced("o-1", 4200));
          assertThat(received.id()).isEqualTo(event.id());
          assertThat(received.topic()).isEqualTo("order.placed");
        })
        .thenCancel()
        .verify(WAIT);
  }

  @Test
  @DisplayName("subscribe(pattern, type, options) converts payloads too")
  void subscribeWithATypeAndOptionsConverts() {
    EventBus bus = buses.started();

    StepVerifier.create(bus.subscribe("order.placed", OrderPlaced.class, SubscribeOptions.defaults().async(true)))
        .then(() -> publish(bus, "order.placed", Map.of("orderId", "o-2", "total", 1)))
        .assertNext(received -> assertThat(received.payload()).isEqualTo(new OrderPlaced("o-2", 1)))
        .thenCancel()
        .verify(WAIT);
  }

  @Test
  @DisplayName("a record payload reaches an untyped subscriber as something that converts back to the record")
  void aRecordPayloadReachesAnUntypedSubscriber() {
    EventBus bus = buses.started();
    OrderPlaced order = new OrderPlaced("o-3", 7);

    StepVerifier.create(bus.subscribe("order.placed"))
        .then(() -> publish(bus, "order.placed", order))
        .assertNext(received -> assertThat(received.payloadAs(OrderPlaced.class)).isEqualTo(order))
        .thenCancel()
        .verify(WAIT);
  }

  @ParameterizedTest(name = "async: {0}")
  @ValueSource(booleans = {false, true})
  @DisplayName("an undecodable payload is skipped, counted as failed and reported, and the Flux goes on")
  void anUndecodablePayloadIsSkippedCountedAndReported(boolean async) {
    EventBus bus = buses.started();
    LifecycleRecorder lifecycle = buses.lifecycleOf(bus);
    Event<Map<String, Object>> undecodable = Event.of("order.placed", Map.of("orderId", "o-1", "total", "lots"));
    Event<Map<String, Object>> fine = Event.of("order.placed", Map.of("orderId", "o-2", "total", 5));

    StepVerifier.create(bus.subscribe("order.placed", OrderPlaced.class, options(async)))
        .then(() -> {
          publish(bus, undecodable);
          publish(bus, fine);
        })
        .assertNext(received -> assertThat(received.id()).isEqualTo(fine.id()))
        .thenCancel()
        .verify(WAIT);

    eventually().untilAsserted(() -> assertThat(bus.stats().failed()).isEqualTo(1));
    LifecycleEvent failure = lifecycle.await(LifecycleEvent.Type.HANDLER_FAILED,
        event -> undecodable.id().equals(event.eventId()));
    assertThat(failure.pattern()).isEqualTo("order.placed");
    assertThat(failure.reason()).contains("OrderPlaced");
  }
}
