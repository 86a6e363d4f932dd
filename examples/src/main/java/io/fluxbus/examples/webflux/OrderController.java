package io.fluxbus.examples.webflux;

import io.fluxbus.Event;
import io.fluxbus.EventBus;
import io.fluxbus.SubscribeOptions;
import io.fluxbus.examples.webflux.OrderEvents.CustomerTotal;
import io.fluxbus.examples.webflux.OrderEvents.OrderAccepted;
import io.fluxbus.examples.webflux.OrderEvents.OrderFlagged;
import io.fluxbus.examples.webflux.OrderEvents.OrderPlaced;
import io.fluxbus.examples.webflux.OrderEvents.OrderRequest;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The HTTP side: {@code POST /orders} publishes, {@code GET /orders/stream} and {@code GET /orders/flagged} stream
 * as Server-Sent Events (opening with a {@code subscribed} comment), {@code GET /customers/{customer}} answers from a pipeline's state. Every method returns the
 * bus's {@code Mono}/{@code Flux} to WebFlux, which subscribes: that is what makes the lazy publish happen.
 */
@RestController
class OrderController {

  private final EventBus bus;
  private final OrderPipelines pipelines;

  OrderController(EventBus bus, OrderPipelines pipelines) {
    this.bus = bus;
    this.pipelines = pipelines;
  }

  /** Publishes the order as {@code orders.placed}, keyed by customer; 202 once the bus has taken it. */
  @PostMapping("/orders")
  Mono<ResponseEntity<OrderAccepted>> place(@RequestBody OrderRequest request) {
    if (request.customer() == null || request.customer().isBlank() || request.sku() == null
        || request.sku().isBlank() || request.quantity() < 1 || !(request.total() > 0)) {
      return Mono.error(new ResponseStatusException(HttpStatus.BAD_REQUEST, "an order needs a customer, a sku, "
          + "a quantity from 1 and a total above 0; got " + request));
    }
    OrderPlaced order = new OrderPlaced(UUID.randomUUID().toString(), request.customer(), request.sku(),
        request.quantity(), request.total());
    Event<OrderPlaced> event = Event.builder(OrderEvents.PLACED, order).key(order.customer()).build();
    return bus.publish(event)
        .map(result -> ResponseEntity.accepted().body(new OrderAccepted(order.orderId(), result.eventId(),
            result.delivered())));
  }

  /**
   * Placed orders as they happen, optionally of one customer; an async subscription per client, cancelled when
   * the client goes away.
   */
  @GetMapping(path = "/orders/stream", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
  Flux<ServerSentEvent<OrderPlaced>> stream(@RequestParam(name = "customer", required = false) String customer) {
    return serverSentEvents(OrderEvents.PLACED, bus.subscribe(OrderEvents.PLACED, OrderPlaced.class,
            SubscribeOptions.defaults().async(true))
        .filter(event -> customer == null || customer.equals(event.payload().customer())));
  }

  /** Flagged orders as the pipeline finds them. */
  @GetMapping(path = "/orders/flagged", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
  Flux<ServerSentEvent<OrderFlagged>> flagged() {
    return serverSentEvents(OrderEvents.FLAGGED, bus.subscribe(OrderEvents.FLAGGED, OrderFlagged.class,
        SubscribeOptions.defaults().async(true)));
  }

  /** A customer's running total; 404 for a customer without orders. */
  @GetMapping("/customers/{customer}")
  Mono<CustomerTotal> customer(@PathVariable("customer") String customer) {
    return Mono.justOrEmpty(pipelines.totals().get(customer))
        .switchIfEmpty(Mono.error(new ResponseStatusException(HttpStatus.NOT_FOUND,
            "no orders from customer '" + customer + "'")));
  }

  /**
   * Events as SSE messages ({@code id:} the event id, {@code event:} the topic), after a first comment
   * {@code subscribed to <topic>} that is sent once the subscription is active: it commits the response, so a
   * client knows at once that it is connected and misses nothing from then on.
   */
  private static <T> Flux<ServerSentEvent<T>> serverSentEvents(String topic, Flux<Event<T>> events) {
    // merge subscribes in order: the bus subscription is active before the comment is sent
    return Flux.merge(
        events.map(event -> ServerSentEvent.builder(event.payload()).id(event.id()).event(event.topic()).build()),
        Mono.just(ServerSentEvent.<T>builder().comment("subscribed to " + topic).build()));
  }
}
