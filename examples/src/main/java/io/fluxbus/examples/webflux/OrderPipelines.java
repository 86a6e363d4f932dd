package io.fluxbus.examples.webflux;

import io.fluxbus.Event;
import io.fluxbus.EventBus;
import io.fluxbus.examples.webflux.OrderEvents.CustomerTotal;
import io.fluxbus.examples.webflux.OrderEvents.OrderFlagged;
import io.fluxbus.examples.webflux.OrderEvents.OrderPlaced;
import io.fluxbus.spring.FluxbusListener;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;

/**
 * Event handling as Flux pipelines, subscribed by the starter when the bus starts and removed when it stops:
 * <ul>
 *   <li><b>flagging</b>: placed orders at or above {@code orders.flag-threshold} (1000 by default) are published
 *       again as {@code orders.flagged}, caused by the order's event; a consumer group ({@code risk}), so several
 *       instances of the application flag each order once;</li>
 *   <li><b>totals</b>: a {@code scan} folds placed orders into per-customer totals, kept as an immutable map.</li>
 * </ul>
 * Both are async subscriptions (the listener default): they run on the bus's workers, never on the publishing
 * request's thread.
 */
@Component
class OrderPipelines {

  private final EventBus bus;
  private final double flagThreshold;
  private final AtomicReference<Map<String, CustomerTotal>> totals = new AtomicReference<>(Map.of());

  OrderPipelines(EventBus bus, @Value("${orders.flag-threshold:1000}") double flagThreshold) {
    this.bus = bus;
    this.flagThreshold = flagThreshold;
  }

  /** Per-customer totals of the orders seen so far; an immutable snapshot. */
  Map<String, CustomerTotal> totals() {
    return totals.get();
  }

  @FluxbusListener(id = "flagging", pattern = OrderEvents.PLACED, group = "risk")
  Flux<Event<OrderFlagged>> flagging(Flux<Event<OrderPlaced>> placedOrders) {
    return placedOrders
        .filter(placed -> placed.payload().total() >= flagThreshold)
        .map(placed -> Event.builder(OrderEvents.FLAGGED, new OrderFlagged(placed.payload().orderId(),
                placed.payload().customer(), "total " + placed.payload().total() + " is at or above " + flagThreshold))
            .key(placed.key())
            .causedBy(placed)
            .build())
        .concatMap(flagged -> bus.publish(flagged).thenReturn(flagged));
  }

  @FluxbusListener(id = "totals", pattern = OrderEvents.PLACED)
  Flux<Map<String, CustomerTotal>> totalling(Flux<Event<OrderPlaced>> placedOrders) {
    return placedOrders
        .map(Event::payload)
        .scan(Map.<String, CustomerTotal>of(), (all, order) -> {
          Map<String, CustomerTotal> next = new HashMap<>(all);
          next.merge(order.customer(), new CustomerTotal(order.customer(), 1, order.total()),
              (a, b) -> new CustomerTotal(a.customer(), a.orders() + 1, a.total() + b.total()));
          return Map.copyOf(next);
        })
        .doOnNext(totals::set);
  }
}
