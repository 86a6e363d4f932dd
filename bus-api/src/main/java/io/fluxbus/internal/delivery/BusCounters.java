package io.fluxbus.internal.delivery;

import io.fluxbus.BusStats;
import io.fluxbus.DropReason;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.Collection;
import java.util.concurrent.atomic.LongAdder;

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

  /**
   * Registers the counters and the subscriptions gauge. Micrometer holds a gauge's state object weakly, so the
   * gauge reads the bus's own set of subscriptions (which lives as long as the bus), never a method reference made
   * for the call, which the collector would take and leave the gauge reporting NaN.
   */
  void bindTo(MeterRegistry registry, String engine, Collection<?> subscriptions) {
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
    Gauge.builder("fluxbus.subscriptions", subscriptions, Collection::size).tags(tags)
        .description("Active subscriptions").register(registry);
  }
}
