package io.fluxbus.examples;

import io.fluxbus.Event;
import io.fluxbus.EventBus;
import io.fluxbus.SubscribeOptions;
import io.fluxbus.memory.MemoryEventBus;
import java.time.Duration;
import java.util.List;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The quickstart: an in-process bus, a wildcard Flux pipeline, an async handler in a consumer group, a few
 * publishes, and the bus's own account of what happened. Run it with the README's first command.
 */
public final class Quickstart {

  /** An order as published on {@code order.*}. */
  public record Order(String id, String customer, double total) {}

  private Quickstart() {}

  /**
   * Runs the quickstart and prints what each subscriber saw.
   *
   * @param args ignored
   */
  public static void main(String[] args) {
    System.out.println(run().collectList().block(Duration.ofSeconds(10)).stream()
        .reduce((a, b) -> a + System.lineSeparator() + b).orElse(""));
  }

  /** The quickstart as a stream of output lines; completes after the bus has stopped. */
  public static Flux<String> run() {
    EventBus bus = MemoryEventBus.builder().source("quickstart").build();
    List<Order> orders = List.of(new Order("o-1", "ada", 42.0), new Order("o-2", "linus", 7.5),
        new Order("o-3", "grace", 120.0));

    Flux<String> bigOrders = bus.subscribe("order.*", Order.class)
        .filter(e -> e.payload().total() > 40)
        .map(e -> "pipeline: big order " + e.payload().id() + " on " + e.topic() + " from " + e.source())
        .take(2);

    Mono<?> billing = bus.subscribe("order.#", SubscribeOptions.defaults().async(true).group("billing"),
        e -> Mono.fromRunnable(() -> System.out.println("billing: charged " + e.payloadAs(Order.class).total())));

    Flux<String> publishes = Flux.fromIterable(orders)
        .concatMap(o -> bus.publish(Event.builder("order.placed", o).key(o.customer()).build()))
        .map(r -> "published " + r.eventId() + ": delivered to " + r.delivered()
            + ", dropped by " + r.dropped());

    return bus.start()
        .then(billing)
        .thenMany(Flux.merge(bigOrders, publishes.delaySubscription(Duration.ofMillis(10))))
        .concatWith(bus.stop().then(Mono.fromSupplier(() -> "stats: " + bus.stats())));
  }
}
