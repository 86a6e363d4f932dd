package io.fluxbus.spring;

import io.fluxbus.Event;
import io.fluxbus.EventBus;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.stereotype.Component;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** A small WebFlux application on the starter, for the tests that run a server. */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import({ShopApplication.Shop.class, ShopApplication.Audit.class})
class ShopApplication {

  @RestController
  static class Shop {
    private final EventBus bus;

    Shop(EventBus bus) {
      this.bus = bus;
    }

    @PostMapping("/orders")
    Mono<String> place(@RequestBody String order) {
      return bus.publish("orders.placed", order).map(result -> result.eventId());
    }

    @GetMapping(path = "/orders/stream", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    Flux<ServerSentEvent<String>> stream() {
      return Flux.merge(
          bus.subscribeAsync("orders.#", String.class)
              .map(e -> ServerSentEvent.builder(e.payload()).id(e.id()).build()),
          Mono.just(ServerSentEvent.<String>builder().comment("subscribed").build()));
    }
  }

  @Component
  static class Audit {
    final List<String> seen = new CopyOnWriteArrayList<>();

    @FluxbusListener(id = "audit", pattern = "orders.#", group = "audit", concurrency = 2)
    Mono<Void> audit(Event<String> order) {
      return Mono.fromRunnable(() -> seen.add(order.payload()));
    }
  }
}
