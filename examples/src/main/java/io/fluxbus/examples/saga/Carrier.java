package io.fluxbus.examples.saga;

import io.fluxbus.examples.saga.OrderMessages.OrderPlaced;
import reactor.core.publisher.Mono;

/** Ships an order: completes with a tracking number, or fails (the shipping step retries, then dead-letters). */
@FunctionalInterface
interface Carrier {

  /** Hands the order's goods to the carrier; lazy, and tried again by subscribing again. */
  Mono<String> ship(OrderPlaced order);
}
