package io.fluxbus.examples.saga;

import static io.fluxbus.examples.saga.OrderMessages.next;

import io.fluxbus.Event;
import io.fluxbus.EventBus;
import io.fluxbus.RetryPolicy;
import io.fluxbus.SubscribeOptions;
import io.fluxbus.Subscription;
import io.fluxbus.examples.saga.OrderMessages.OrderPlaced;
import io.fluxbus.examples.saga.OrderMessages.Shipped;
import io.fluxbus.examples.saga.OrderMessages.StockChange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The shipping step, in the consumer group {@code shipping}: hands reserved orders to the carrier. A carrier
 * failure fails the handler, which the bus retries per the {@link RetryPolicy}; after the last attempt the bus
 * dead-letters the reservation to {@code shipping.failed}, where the inventory step undoes it.
 */
final class ShippingService {

  static final String GROUP = "shipping";

  private final Carrier carrier;
  private final RetryPolicy retry;

  ShippingService(Carrier carrier, RetryPolicy retry) {
    this.carrier = carrier;
    this.retry = retry;
  }

  /** One member of the group: its handler subscription. */
  Flux<Subscription> join(EventBus bus) {
    SubscribeOptions options = OrderMessages.inGroup(GROUP).retry(retry).deadLetter(OrderMessages.SHIPPING_FAILED);
    return bus.subscribe(OrderMessages.INVENTORY_RESERVED, options, reserved -> ship(bus, reserved)).flux();
  }

  private Mono<Void> ship(EventBus bus, Event<Object> reserved) {
    OrderPlaced order = reserved.payloadAs(StockChange.class).order();
    return carrier.ship(order)
        .flatMap(trackingId -> bus.publish(next(reserved, OrderMessages.SHIPMENT_SHIPPED, order.orderId(),
            new Shipped(order, trackingId))))
        .then();
  }
}
