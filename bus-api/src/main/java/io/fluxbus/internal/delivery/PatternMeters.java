package io.fluxbus.internal.delivery;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.TimeUnit;

/**
 * The per-pattern meters of a bus: {@code fluxbus.handler.duration} and {@code fluxbus.buffer.used}, tagged with
 * the engine and the pattern (never the topic). Shared by every subscription on the pattern; registered once when
 * a registry is bound, removed when the last subscription on the pattern ends.
 */
final class PatternMeters {

  /** The meters of endpoints that are not registered (yet): records nothing. */
  static final PatternMeters NONE = new PatternMeters("");

  final String pattern;
  final CopyOnWriteArraySet<Endpoint> endpoints = new CopyOnWriteArraySet<>();
  private volatile Timer timer;
  private Gauge gauge;
  private MeterRegistry registry;

  PatternMeters(String pattern) {
    this.pattern = pattern;
  }

  /** True when handler durations are recorded; callers skip {@code System.nanoTime()} otherwise. */
  boolean timing() {
    return timer != null;
  }

  void record(long startNanos) {
    Timer t = timer;
    if (t != null) {
      t.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
    }
  }

  int buffered() {
    int sum = 0;
    for (Endpoint endpoint : endpoints) {
      sum += endpoint.buffered();
    }
    return sum;
  }

  synchronized void bind(MeterRegistry registry, String engine) {
    Tags tags = Tags.of("engine", engine, "pattern", pattern);
    this.registry = registry;
    this.gauge = Gauge.builder("fluxbus.buffer.used", this, PatternMeters::buffered).tags(tags)
        .description("Events buffered or waiting in subscriptions on this pattern").register(registry);
    this.timer = Timer.builder("fluxbus.handler.duration").tags(tags)
        .description("Time a subscriber or handler took per event").register(registry);
  }

  synchronized void unbind() {
    if (registry != null) {
      registry.remove(gauge);
      registry.remove(timer);
      timer = null;
      registry = null;
    }
  }
}
