package io.fluxbus.examples.saga;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fluxbus.Event;
import io.fluxbus.examples.saga.OrderMessages.OrderPlaced;
import io.fluxbus.router.EngineRouter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

@DisplayName("the order saga across two engines")
class OrderSagaTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final EngineRouter bus = OrderSagaDemo.defaultBus();
  private final Queue<Event<Object>> trail = new ConcurrentLinkedQueue<>();
  private final AtomicInteger carrierAttempts = new AtomicInteger();
  private OrderSaga saga;
  private Disposable recording;

  private void start(Carrier carrier) {
    recording = bus.subscribe("#").subscribe(trail::add);
    saga = new OrderSaga(bus, Map.of("book", 10, "lamp", 0), 1_000, order -> {
      carrierAttempts.incrementAndGet();
      return carrier.ship(order);
    });
    bus.start().then(saga.start(2)).block(TIMEOUT);
  }

  @AfterEach
  void stop() {
    if (saga != null) {
      saga.stop().block(TIMEOUT);
    }
    if (recording != null) {
      recording.dispose();
    }
    bus.stop().block(TIMEOUT);
  }

  /** The events of one saga, once it has {@code count} of them, in publish order. */
  private List<Event<Object>> trailOf(String correlationId, int count) {
    await().atMost(TIMEOUT).until(() -> trail.stream().filter(e -> e.correlationId().equals(correlationId)).count()
        >= count);
    return trail.stream().filter(e -> e.correlationId().equals(correlationId)).toList();
  }

  private static void assertCausalChain(List<Event<Object>> events) {
    assertThat(events.get(0).causationId()).isNull();
    for (int i = 1; i < events.size(); i++) {
      assertThat(events.get(i).causationId()).as("cause of %s", events.get(i).topic())
          .isEqualTo(events.get(i - 1).id());
    }
  }

  @Test
  @DisplayName("happy path: paid, reserved, shipped and completed, each event caused by the one before")
  void happyPath() {
    start(order -> Mono.just("track-" + order.orderId()));

    OrderOutcome outcome = saga.place(new OrderPlaced("o-1", "ada", "book", 2, 40.0)).block(TIMEOUT);

    assertThat(outcome.status()).isEqualTo(OrderOutcome.Status.COMPLETED);
    assertThat(outcome.detail()).isEqualTo("track-o-1");
    List<Event<Object>> events = trailOf(outcome.correlationId(), 5);
    assertThat(events).extracting(Event::topic).containsExactly("orders.placed", "payments.charged",
        "inventory.reserved", "shipments.shipped", "orders.completed");
    assertThat(events).extracting(Event::key).containsOnly("o-1");
    assertCausalChain(events);
    assertThat(saga.payments().charges()).isEqualTo(1);
    assertThat(saga.payments().refunds()).isZero();
    assertThat(saga.inventory().inStock("book")).isEqualTo(8);
    assertThat(bus.engineFor("payments.charged")).isEqualTo("ledger");
    assertThat(bus.engineFor("orders.completed")).isEqualTo("orders");
  }

  @Test
  @DisplayName("compensation: goods out of stock are refunded and the order is cancelled with the reason")
  void outOfStockIsRefunded() {
    start(order -> Mono.just("track-" + order.orderId()));

    OrderOutcome outcome = saga.place(new OrderPlaced("o-2", "linus", "lamp", 1, 25.0)).block(TIMEOUT);

    assertThat(outcome.status()).isEqualTo(OrderOutcome.Status.CANCELLED);
    assertThat(outcome.detail()).isEqualTo("only 0 of lamp in stock, 1 ordered");
    List<Event<Object>> events = trailOf(outcome.correlationId(), 5);
    assertThat(events).extracting(Event::topic).containsExactly("orders.placed", "payments.charged",
        "inventory.unavailable", "payments.refunded", "orders.cancelled");
    assertCausalChain(events);
    assertThat(saga.payments().charges()).isEqualTo(1);
    assertThat(saga.payments().refunds()).isEqualTo(1);
    assertThat(carrierAttempts).hasValue(0);
  }

  @Test
  @DisplayName("compensation: a carrier that keeps failing is retried 3 times, dead-lettered, and the order undone")
  void failedShippingIsDeadLetteredAndUndone() {
    start(order -> Mono.error(new IllegalStateException("no truck")));

    OrderOutcome outcome = saga.place(new OrderPlaced("o-3", "grace", "book", 3, 90.0)).block(TIMEOUT);

    assertThat(outcome.status()).isEqualTo(OrderOutcome.Status.CANCELLED);
    assertThat(outcome.detail()).startsWith("shipping failed after 3 attempts: ").contains("no truck");
    List<Event<Object>> events = trailOf(outcome.correlationId(), 7);
    assertThat(events).extracting(Event::topic).containsExactly("orders.placed", "payments.charged",
        "inventory.reserved", "shipping.failed", "inventory.released", "payments.refunded",
        "orders.cancelled");
    assertCausalChain(events);
    Event<Object> deadLetter = events.get(3);
    assertThat(deadLetter.headers()).containsEntry("dlqtopic", "inventory.reserved")
        .containsEntry("dlqattempts", "3").containsEntry("dlqerror", "java.lang.IllegalStateException: no truck");
    assertThat(carrierAttempts).hasValue(3);
    assertThat(saga.inventory().inStock("book")).isEqualTo(10);
    assertThat(saga.payments().refunds()).isEqualTo(1);
  }

  @Test
  @DisplayName("compensation: a payment over the credit limit cancels the order before any stock moves")
  void declinedPaymentCancels() {
    start(order -> Mono.just("track-" + order.orderId()));

    OrderOutcome outcome = saga.place(new OrderPlaced("o-4", "alan", "book", 1, 5_000.0)).block(TIMEOUT);

    assertThat(outcome.status()).isEqualTo(OrderOutcome.Status.CANCELLED);
    assertThat(outcome.detail()).contains("over the credit limit");
    assertThat(trailOf(outcome.correlationId(), 3)).extracting(Event::topic)
        .containsExactly("orders.placed", "payments.declined", "orders.cancelled");
    assertThat(saga.inventory().inStock("book")).isEqualTo(10);
  }

  @Test
  @DisplayName("consumer groups: with two members per step, twenty concurrent orders are each charged and shipped once")
  void groupsHandleEachOrderOnce() {
    start(order -> Mono.just("track-" + order.orderId()));

    List<OrderOutcome> outcomes = Flux.range(1, 20)
        .flatMap(i -> saga.place(new OrderPlaced("bulk-" + i, "c-" + i, "book", i <= 10 ? 1 : 99, 10.0)))
        .collectList()
        .block(TIMEOUT);

    assertThat(outcomes).hasSize(20);
    assertThat(outcomes).filteredOn(o -> o.status() == OrderOutcome.Status.COMPLETED).hasSize(10);
    assertThat(saga.payments().charges()).isEqualTo(20);
    assertThat(saga.payments().refunds()).isEqualTo(10);
    assertThat(carrierAttempts).hasValue(10);
    assertThat(saga.inventory().inStock("book")).isZero();
  }
}
