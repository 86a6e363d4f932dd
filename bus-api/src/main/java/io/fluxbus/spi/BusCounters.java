package io.fluxbus.spi;

import io.fluxbus.BusStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

/**
 * A bus's monotonic counters: striped adders on the hot path, read by {@link #stats()} and by Micrometer
 * function counters registered once, so counting an event allocates nothing.
 */
final class BusCounters {

  final LongAdder published = new LongAdder();
  final LongAdder delivered = new LongAdder();
  final LongAdder failed = new LongAdder();
  private final LongAdder[] dropped = new LongAdder[DropReason.values().length];

  BusCounters() {
    for (int i = 0; i < dropped.length; i++) {
      dropped[i] = new LongAdder();
    }
  }

  void dropped(DropReason reason) {
    dropped[reason.ordinal()].increment();
  }

  long dropped() {
    long sum = 0;
    for (LongAdder adder : dropped) {
      sum += adder.sum();
    }
    return sum;
  }

  BusStats stats() {
    // read dropped and delivered before published so a concurrent reader never sees more outcomes than publishes
    long drops = dropped();
    long deliveries = delivered.sum();
    long failures = failed.sum();
    return new BusStats(published.sum(), deliveries, drops, failures);
  }

  void bindTo(MeterRegistry registry, String engine, IntSupplier subscriptions) {
    Tags tags = Tags.of("engine", engine);
    FunctionCounter.builder("fluxbus.events.published", published, LongAdder::sum).tags(tags)
        .description("Publishes that ran").register(registry);
    FunctionCounter.builder("fluxbus.events.delivered", delivered, LongAdder::sum).tags(tags)
        .description("Events handed to a subscriber or handler").register(registry);
    FunctionCounter.builder("fluxbus.events.failed", failed, LongAdder::sum).tags(tags)
        .description("Deliveries whose handler failed after its last attempt").register(registry);
    for (DropReason reason : DropReason.values()) {
      FunctionCounter.builder("fluxbus.events.dropped", dropped[reason.ordinal()], LongAdder::sum)
          .tags(tags.and("reason", reason.tag())).description("Events lost for a subscription")
          .register(registry);
    }
    Gauge.builder("fluxbus.subscriptions", subscriptions, s -> s.getAsInt()).tags(tags)
        .description("Active subscriptions").register(registry);
  }
}
