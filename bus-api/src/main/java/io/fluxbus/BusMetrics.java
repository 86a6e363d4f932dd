package io.fluxbus;

import io.fluxbus.spi.Instrumented;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.Objects;

/**
 * Registers a bus's meters with Micrometer: {@code fluxbus.events.published}, {@code .delivered},
 * {@code .dropped} (tag {@code reason}: {@code buffer_full}, {@code timeout}, {@code stopped},
 * {@code unsubscribed}, {@code cancelled}), {@code .failed}, {@code fluxbus.handler.duration},
 * {@code fluxbus.subscriptions}, {@code fluxbus.buffer.used}; every meter tagged {@code engine}, per-subscription
 * meters also {@code pattern} (never the topic). Meters read counters the bus keeps anyway: binding adds no work
 * per event.
 */
public final class BusMetrics {

  private BusMetrics() {}

  /**
   * Binds a bus's meters to a registry. Engines that keep their own meters ({@link Instrumented}) register all of
   * them; any other bus gets function counters over {@link EventBus#stats()}, tagged {@code engine=unknown}.
   *
   * @throws IllegalStateException if the bus is already bound to a different registry
   */
  public static void bind(EventBus bus, MeterRegistry registry) {
    Objects.requireNonNull(bus, "bus must not be null");
    Objects.requireNonNull(registry, "registry must not be null");
    if (bus instanceof Instrumented instrumented) {
      instrumented.bindMetrics(registry);
      return;
    }
    Tags tags = Tags.of("engine", "unknown");
    FunctionCounter.builder("fluxbus.events.published", bus, b -> b.stats().published()).tags(tags)
        .register(registry);
    FunctionCounter.builder("fluxbus.events.delivered", bus, b -> b.stats().delivered()).tags(tags)
        .register(registry);
    FunctionCounter.builder("fluxbus.events.dropped", bus, b -> b.stats().dropped()).tags(tags)
        .register(registry);
    FunctionCounter.builder("fluxbus.events.failed", bus, b -> b.stats().failed()).tags(tags).register(registry);
  }
}
