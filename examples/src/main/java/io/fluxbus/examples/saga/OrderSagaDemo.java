package io.fluxbus.examples.saga;

import io.fluxbus.Event;
import io.fluxbus.router.EngineRouter;
import io.fluxbus.router.EventBuses;
import io.fluxbus.examples.saga.OrderMessages.OrderPlaced;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Runs the order saga on four orders — one that completes, one out of stock, one the carrier cannot ship (retried,
 * dead-lettered, undone) and one over the credit limit — and prints each outcome and the trail of events that led
 * to it. The bus comes from {@code --config FILE}, or from the built-in two-engine memory routing.
 */
public final class OrderSagaDemo {

  private static final String DEFAULT_CONFIG = "/io/fluxbus/examples/saga/saga.yaml";

  private OrderSagaDemo() {}

  /**
   * Runs the demo and prints what happened.
   *
   * @param args {@code --config FILE} to route the saga with another configuration
   */
  public static void main(String[] args) {
    Path config = args.length == 2 && args[0].equals("--config") ? Path.of(args[1]) : null;
    if (args.length != 0 && config == null) {
      System.err.println("usage: OrderSagaDemo [--config FILE]");
      System.exit(2);
    }
    EngineRouter bus = config != null ? EventBuses.fromYaml(config) : defaultBus();
    run(bus).doOnNext(System.out::println).blockLast(Duration.ofMinutes(1));
  }

  /** The saga's built-in routing: two memory engines (not started). */
  static EngineRouter defaultBus() {
    InputStream yaml = OrderSagaDemo.class.getResourceAsStream(DEFAULT_CONFIG);
    if (yaml == null) {
      throw new IllegalStateException("class path resource " + DEFAULT_CONFIG + " is missing");
    }
    return EventBuses.fromYaml(yaml);
  }

  /** The demo as output lines; starts the bus, and stops it before completing. */
  static Flux<String> run(EngineRouter bus) {
    Carrier carrier = order -> order.sku().equals("piano")
        ? Mono.error(new IllegalStateException("no truck can carry a piano"))
        : Mono.just("track-" + order.orderId());
    OrderSaga saga = new OrderSaga(bus, Map.of("book", 10, "lamp", 0, "piano", 1), 1_000, carrier);
    List<OrderPlaced> orders = List.of(
        new OrderPlaced("o-1", "ada", "book", 2, 40.0),
        new OrderPlaced("o-2", "linus", "lamp", 1, 25.0),
        new OrderPlaced("o-3", "grace", "piano", 1, 900.0),
        new OrderPlaced("o-4", "alan", "book", 1, 5_000.0));
    Queue<Event<Object>> trail = new ConcurrentLinkedQueue<>();
    return Flux.usingWhen(
        Mono.fromSupplier(() -> bus.subscribe("#").subscribe(trail::add)),
        recording -> bus.start()
            .then(saga.start(2))
            .thenMany(Flux.fromIterable(orders).concatMap(saga::place))
            .map(outcome -> outcome.orderId() + " " + outcome.status() + " (" + outcome.detail() + "): "
                + trailOf(trail, outcome.correlationId()))
            .concatWith(Mono.fromSupplier(() -> "charges " + saga.payments().charges() + ", refunds "
                + saga.payments().refunds() + ", books left " + saga.inventory().inStock("book") + ", pianos left "
                + saga.inventory().inStock("piano")))
            .concatWith(Flux.fromIterable(bus.engineNames()).map(name -> "engine " + name + ": " + bus.stats(name))),
        recording -> saga.stop().then(Mono.fromRunnable(recording::dispose)).then(bus.stop()));
  }

  private static String trailOf(Queue<Event<Object>> trail, String correlationId) {
    return trail.stream().filter(e -> e.correlationId().equals(correlationId)).map(Event::topic)
        .collect(Collectors.joining(" → "));
  }
}
