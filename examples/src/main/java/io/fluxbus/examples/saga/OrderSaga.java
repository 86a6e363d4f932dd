package io.fluxbus.examples.saga;

import static io.fluxbus.examples.saga.OrderMessages.next;

import io.fluxbus.Event;
import io.fluxbus.EventBus;
import io.fluxbus.RetryPolicy;
import io.fluxbus.SubscribeOptions;
import io.fluxbus.Subscription;
import io.fluxbus.examples.saga.OrderMessages.OrderClosed;
import io.fluxbus.examples.saga.OrderMessages.OrderPlaced;
import io.fluxbus.examples.saga.OrderMessages.PaymentDeclined;
import io.fluxbus.examples.saga.OrderMessages.PaymentRefunded;
import io.fluxbus.examples.saga.OrderMessages.Shipped;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * An order workflow as a choreographed saga (see {@link OrderMessages} for its events): payment, inventory and
 * shipping each react to the previous step's event in their own consumer group, and undo their work when a later
 * step fails; the order step, in the group {@code orders}, closes the order as completed or cancelled. Each step
 * runs {@code replicas} members that compete for events, as several instances of a service would.
 *
 * <p>{@link #place} publishes {@code orders.placed} and completes with the {@link OrderOutcome} once the order is
 * closed, matched by correlation id, so several orders can run at once. Works on any {@link EventBus}; the
 * examples route it across engines with a YAML file.
 */
final class OrderSaga {

  static final String GROUP = "orders";

  /** The shipping step's retries: three attempts, quickly, then the dead letter. */
  static final RetryPolicy SHIPPING_RETRY = RetryPolicy.exponential(3, Duration.ofMillis(10),
      Duration.ofMillis(50));

  private final EventBus bus;
  private final PaymentService payments;
  private final InventoryService inventory;
  private final ShippingService shipping;
  private final Map<String, Sinks.One<OrderOutcome>> open = new ConcurrentHashMap<>();
  private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();

  /**
   * A saga on {@code bus} with a warehouse holding {@code stock}, payments up to {@code creditLimit} and a
   * {@code carrier}; not yet subscribed.
   */
  OrderSaga(EventBus bus, Map<String, Integer> stock, double creditLimit, Carrier carrier) {
    this.bus = bus;
    this.payments = new PaymentService(creditLimit);
    this.inventory = new InventoryService(stock);
    this.shipping = new ShippingService(carrier, SHIPPING_RETRY);
  }

  /** Subscribes every step, {@code replicas} members each; completes when all subscriptions are active. */
  Mono<Void> start(int replicas) {
    SubscribeOptions orders = OrderMessages.inGroup(GROUP);
    Flux<Subscription> steps = Flux.range(0, replicas).concatMap(replica -> Flux.concat(
        payments.join(bus),
        inventory.join(bus),
        shipping.join(bus),
        bus.subscribe(OrderMessages.SHIPMENT_SHIPPED, orders, shipped -> close(shipped,
            OrderMessages.ORDER_COMPLETED, shipped.payloadAs(Shipped.class).order(),
            shipped.payloadAs(Shipped.class).trackingId())),
        bus.subscribe(OrderMessages.PAYMENT_DECLINED, orders, declined -> close(declined,
            OrderMessages.ORDER_CANCELLED, declined.payloadAs(PaymentDeclined.class).order(),
            "payment declined: " + declined.payloadAs(PaymentDeclined.class).reason())),
        bus.subscribe(OrderMessages.PAYMENT_REFUNDED, orders, refunded -> close(refunded,
            OrderMessages.ORDER_CANCELLED, refunded.payloadAs(PaymentRefunded.class).order(),
            refunded.payloadAs(PaymentRefunded.class).reason()))));
    // every instance of the saga hears every closing, to answer the orders it placed
    Flux<Subscription> outcomes = Flux.concat(
        bus.subscribe(OrderMessages.ORDER_COMPLETED, closed -> resolve(closed, OrderOutcome.Status.COMPLETED)),
        bus.subscribe(OrderMessages.ORDER_CANCELLED, closed -> resolve(closed, OrderOutcome.Status.CANCELLED)));
    return Flux.concat(outcomes, steps).doOnNext(subscriptions::add).then();
  }

  /**
   * Places an order; completes with its outcome once the saga has closed it. Lazy: the order is published when the
   * {@code Mono} is subscribed. Errors when the publish fails (e.g. the bus is stopped).
   */
  Mono<OrderOutcome> place(OrderPlaced order) {
    return Mono.defer(() -> {
      Event<OrderPlaced> placed = Event.builder(OrderMessages.ORDER_PLACED, order).key(order.orderId()).build();
      Sinks.One<OrderOutcome> outcome = Sinks.one();
      open.put(placed.correlationId(), outcome);
      return bus.publish(placed)
          .then(outcome.asMono())
          .doFinally(signal -> open.remove(placed.correlationId()));
    });
  }

  /** Cancels every subscription of the saga. */
  Mono<Void> stop() {
    return Flux.fromIterable(subscriptions).concatMap(Subscription::cancel).then()
        .doOnSuccess(done -> subscriptions.clear());
  }

  PaymentService payments() {
    return payments;
  }

  InventoryService inventory() {
    return inventory;
  }

  private Mono<Void> close(Event<Object> cause, String topic, OrderPlaced order, String detail) {
    return bus.publish(next(cause, topic, order.orderId(), new OrderClosed(order.orderId(), detail))).then();
  }

  private Mono<Void> resolve(Event<Object> closed, OrderOutcome.Status status) {
    return Mono.fromRunnable(() -> {
      Sinks.One<OrderOutcome> waiting = open.get(closed.correlationId());
      if (waiting != null) {
        OrderClosed order = closed.payloadAs(OrderClosed.class);
        waiting.tryEmitValue(new OrderOutcome(order.orderId(), status, order.detail(), closed.correlationId()));
      }
    });
  }
}
