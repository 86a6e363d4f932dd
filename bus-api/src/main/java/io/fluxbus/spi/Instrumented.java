package io.fluxbus.spi;

import io.micrometer.core.instrument.MeterRegistry;

/**
 * A bus that registers its own meters (those of {@code docs/architecture.md}, "Metrics") with a registry;
 * {@code BusMetrics.bind} uses it when the bus offers it. Meters are registered once and read counters the bus keeps anyway, so binding adds
 * nothing to the hot path.
 */
public interface Instrumented {

  /**
   * Registers this bus's meters with {@code registry}; per-pattern meters follow subscriptions from then on.
   *
   * @throws IllegalStateException if the bus is already bound to another registry (use a composite registry)
   */
  void bindMetrics(MeterRegistry registry);
}
