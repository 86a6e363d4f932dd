package io.fluxbus.kafka;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A group member's lag per partition, as the gauge {@code fluxbus.kafka.consumer.lag} (tags {@code engine},
 * {@code group}, {@code pattern}, {@code partition}): the records between the end of the partition and the offset
 * this member would commit now, that is the events appended and not yet settled. Updated by the member's poll loop
 * after each poll; a gauge is registered the first time its partition reports, and removed when the member ends.
 * Thread-safe; costs nothing per event.
 */
final class ConsumerLag {

  static final String METER = "fluxbus.kafka.consumer.lag";

  private final MeterRegistry registry;
  private final String engine;
  private final String group;
  private final String pattern;
  private final Map<Integer, AtomicLong> lags = new ConcurrentHashMap<>();
  private final List<Gauge> gauges = new CopyOnWriteArrayList<>();

  /** @param registry where the gauges go, or null for none */
  ConsumerLag(MeterRegistry registry, String engine, String group, String pattern) {
    this.registry = registry;
    this.engine = engine;
    this.group = group;
    this.pattern = pattern;
  }

  /** Records the lag of {@code partition}. */
  void update(int partition, long lag) {
    AtomicLong value = lags.get(partition);
    if (value == null) {
      value = lags.computeIfAbsent(partition, p -> new AtomicLong());
      if (registry != null) {
        AtomicLong registered = value;
        gauges.add(Gauge.builder(METER, registered, AtomicLong::get)
            .description("events appended to the partition and not yet settled by this group member")
            .tags("engine", engine, "group", group, "pattern", pattern, "partition", Integer.toString(partition))
            .register(registry));
      }
    }
    value.set(lag);
  }

  /** Removes the gauges. */
  void close() {
    if (registry != null) {
      gauges.forEach(registry::remove);
    }
    gauges.clear();
  }
}
