package io.fluxbus.examples.saga;

import static io.fluxbus.examples.saga.OrderMessages.next;

import io.fluxbus.DeadLetterHeaders;
import io.fluxbus.Event;
import io.fluxbus.EventBus;
import io.fluxbus.SubscribeOptions;
import io.fluxbus.Subscription;
import io.fluxbus.examples.saga.OrderMessages.OrderPlaced;
import io.fluxbus.examples.saga.OrderMessages.PaymentCharged;
import io.fluxbus.examples.saga.OrderMessages.StockChange;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The inventory step, in the consumer group {@code inventory}: reserves stock for paid orders, and handles the
 * shipping step's dead letters ({@code shipping.failed}) by putting the goods back, which starts the refund.
 * Reserving is idempotent per order. Thread-safe; its state stands in for a warehouse.
 */
final class InventoryService {

  static final String GROUP = "inventory";

  private final Map<String, Integer> stock;
  private final Set<String> reservedOrders = ConcurrentHashMap.newKeySet();

  /** Starts with {@code stock}: units per article. */
  InventoryService(Map<String, Integer> stock) {
    this.stock = new ConcurrentHashMap<>(stock);
  }

  /** One member of the group: its two handler subscriptions. */
  Flux<Subscription> join(EventBus bus) {
    SubscribeOptions options = OrderMessages.inGroup(GROUP);
    return Flux.concat(
        bus.subscribe(OrderMessages.PAYMENT_CHARGED, options, charged -> reserve(bus, charged)),
        bus.subscribe(OrderMessages.SHIPPING_FAILED, options, deadLetter -> release(bus, deadLetter)));
  }

  /** Units of an article in stock now. */
  int inStock(String sku) {
    return stock.getOrDefault(sku, 0);
  }

  private Mono<Void> reserve(EventBus bus, Event<Object> charged) {
    OrderPlaced order = charged.payloadAs(PaymentCharged.class).order();
    boolean reserved = reservedOrders.contains(order.orderId()) || take(order);
    if (!reserved) {
      return bus.publish(next(charged, OrderMessages.INVENTORY_UNAVAILABLE, order.orderId(), new StockChange(order,
          "only " + inStock(order.sku()) + " of " + order.sku() + " in stock, " + order.quantity() + " ordered")))
          .then();
    }
    return bus.publish(next(charged, OrderMessages.INVENTORY_RESERVED, order.orderId(),
        new StockChange(order, null))).then();
  }

  private boolean take(OrderPlaced order) {
    boolean[] taken = {false};
    stock.computeIfPresent(order.sku(), (sku, units) -> {
      taken[0] = units >= order.quantity();
      return taken[0] ? units - order.quantity() : units;
    });
    if (taken[0]) {
      reservedOrders.add(order.orderId());
    }
    return taken[0];
  }

  /** The dead-letter handler: the letter carries the reservation and, in headers, why shipping gave up. */
  private Mono<Void> release(EventBus bus, Event<Object> deadLetter) {
    OrderPlaced order = deadLetter.payloadAs(StockChange.class).order();
    if (reservedOrders.remove(order.orderId())) {
      stock.merge(order.sku(), order.quantity(), Integer::sum);
    }
    String reason = "shipping failed after " + deadLetter.headers().get(DeadLetterHeaders.ATTEMPTS) + " attempts: "
        + deadLetter.headers().get(DeadLetterHeaders.ERROR);
    return bus.publish(next(deadLetter, OrderMessages.INVENTORY_RELEASED, order.orderId(),
        new StockChange(order, reason))).then();
  }
}
