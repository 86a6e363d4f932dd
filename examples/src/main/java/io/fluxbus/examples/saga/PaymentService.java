package io.fluxbus.examples.saga;

import static io.fluxbus.examples.saga.OrderMessages.next;

import io.fluxbus.Event;
import io.fluxbus.EventBus;
import io.fluxbus.SubscribeOptions;
import io.fluxbus.Subscription;
import io.fluxbus.examples.saga.OrderMessages.OrderPlaced;
import io.fluxbus.examples.saga.OrderMessages.PaymentCharged;
import io.fluxbus.examples.saga.OrderMessages.PaymentDeclined;
import io.fluxbus.examples.saga.OrderMessages.PaymentRefunded;
import io.fluxbus.examples.saga.OrderMessages.StockChange;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The payment step, in the consumer group {@code payments}: charges placed orders up to a credit limit, and refunds
 * orders whose goods are unavailable or were released. Charging is idempotent per order, because durable engines
 * deliver at least once. Thread-safe; its state stands in for a payment provider.
 */
final class PaymentService {

  static final String GROUP = "payments";

  private final double creditLimit;
  private final Map<String, String> paymentsByOrder = new ConcurrentHashMap<>();
  private final AtomicInteger charges = new AtomicInteger();
  private final AtomicInteger refunds = new AtomicInteger();

  PaymentService(double creditLimit) {
    this.creditLimit = creditLimit;
  }

  /** One member of the group: its three handler subscriptions. */
  Flux<Subscription> join(EventBus bus) {
    SubscribeOptions options = OrderMessages.inGroup(GROUP);
    return Flux.concat(
        bus.subscribe(OrderMessages.ORDER_PLACED, options, placed -> charge(bus, placed)),
        bus.subscribe(OrderMessages.INVENTORY_UNAVAILABLE, options, unavailable -> refund(bus, unavailable)),
        bus.subscribe(OrderMessages.INVENTORY_RELEASED, options, released -> refund(bus, released)));
  }

  /** Charges made. */
  int charges() {
    return charges.get();
  }

  /** Refunds made. */
  int refunds() {
    return refunds.get();
  }

  private Mono<Void> charge(EventBus bus, Event<Object> placed) {
    OrderPlaced order = placed.payloadAs(OrderPlaced.class);
    if (order.amount() > creditLimit) {
      return bus.publish(next(placed, OrderMessages.PAYMENT_DECLINED, order.orderId(), new PaymentDeclined(order,
          "amount " + order.amount() + " is over the credit limit " + creditLimit))).then();
    }
    String paymentId = paymentsByOrder.computeIfAbsent(order.orderId(), id -> {
      charges.incrementAndGet();
      return "pay-" + UUID.randomUUID();
    });
    return bus.publish(next(placed, OrderMessages.PAYMENT_CHARGED, order.orderId(),
        new PaymentCharged(order, paymentId))).then();
  }

  private Mono<Void> refund(EventBus bus, Event<Object> cause) {
    StockChange change = cause.payloadAs(StockChange.class);
    String paymentId = paymentsByOrder.remove(change.order().orderId());
    if (paymentId != null) {
      refunds.incrementAndGet();
    }
    return bus.publish(next(cause, OrderMessages.PAYMENT_REFUNDED, change.order().orderId(),
        new PaymentRefunded(change.order(), paymentId, change.reason()))).then();
  }
}
