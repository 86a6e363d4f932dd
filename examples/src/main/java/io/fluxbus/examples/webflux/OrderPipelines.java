package io.fluxbus.examples.webflux;

import io.fluxbus.Event;
import io.fluxbus.EventBus;
import io.fluxbus.SubscribeOptions;
import io.fluxbus.examples.webflux.OrderEvents.CustomerTotal;
import io.fluxbus.examples.webflux.OrderEvents.OrderFlagged;
import io.fluxbus.examples.webflux.OrderEvents.OrderPlaced;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;

/**
 * Event handling as Flux pipelines, subscribed while the application runs:
 * <ul>
 *   <li><b>flagging</b>: placed orders at or above {@code orders.flag-threshold} (1000 by default) are published
 *       again as {@code orders.flagged}, caused by the order's event; a consumer group ({@code risk}), so several
 *       instances of the application flag each order once;</li>
 *   <li><b>totals</b>: a {@code scan} folds placed orders into per-customer totals, kept as an immutable map.</li>
 * </ul>
 * Both are async subscriptions: they run on the bus's workers, never on the publishing request's thread.
 */
@Component
class OrderPipelines implements SmartLifecycle {

  private final EventBus bus;
  private final double flagThreshold;
  private final AtomicReference<Map<String, CustomerTotal>> totals = new AtomicReference<>(Map.of());
  private volatile Disposable running;

  OrderPipelines(EventBus bus, @Value("${orders.flag-threshold:1000}") double flagThreshold) {
    this.bus = bus;
    this.flagThreshold = flagThreshold;
  }

  /** Per-customer totals of the orders seen so far; an immutable snapshot. */
  Map<String, CustomerTotal> totals() {
    return totals.get();
  }

  Flux<Event<OrderFlagged>> flagging() {
    return bus.subscribe(OrderEvents.PLACED, OrderPlaced.class, SubscribeOptions.defaults().async(true).group("risk"))
        .filter(placed -> placed.payload().total() >= flagThreshold)
        .map(placed -> Event.builder(OrderEvents.FLAGGED, new OrderFlagged(placed.payload().orderId(),
                placed.payload().customer(), "total " + placed.payload().total() + " is at or above " + flagThreshold))
            .key(placed.key())
            .causedBy(placed)
            .build())
        .concatMap(flagged -> bus.publish(flagged).thenReturn(flagged));
  }

  Flux<Map<String, CustomerTotal>> totalling() {
    return bus.subscribe(OrderEvents.PLACED, OrderPlaced.class, SubscribeOptions.defaults().async(true))
        .map(Event::payload)
        .scan(Map.<String, CustomerTotal>of(), (all, order) -> {
          Map<String, CustomerTotal> next = new HashMap<>(all);
          next.merge(order.customer(), new CustomerTotal(order.customer(), 1, order.total()),
              (a, b) -> new CustomerTotal(a.customer(), a.orders() + 1, a.total() + b.total()));
          return Map.copyOf(next);
        })
        .doOnNext(totals::set);
  }

  @Override
  public void start() {
    running = Disposables.composite(flagging().subscribe(), totalling().subscribe());
  }

  @Override
  public void stop() {
    Disposable current = running;
    if (current != null) {
      current.dispose();
      running = null;
    }
  }

  @Override
  public boolean isRunning() {
    return running != null;
  }

  @Override
  public int getPhase() {
    // before the web server starts taking requests, so no order goes unseen
    return SmartLifecycle.DEFAULT_PHASE - 4096;
  }
}
