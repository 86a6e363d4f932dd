package io.fluxbus.test;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxbus.BusMetrics;
import io.fluxbus.BusStats;
import io.fluxbus.Event;
import io.fluxbus.EventBus;
import io.micrometer.core.instrument.Measurement;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Statistic;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * Micrometer meters bound with {@link BusMetrics#bind} (docs/architecture.md, "Metrics") count what {@code stats()}
 * counts; drops are tagged with their reason; every meter is tagged with the engine and never with the topic.
 */
abstract class MetricsContract extends ContractPart {

  MetricsContract(BusFixture buses) {
    super(buses);
  }

  @Test
  @DisplayName("bound meters count what stats() counts, drops tagged by reason")
  void boundMetersCountWhatStatsCounts() {
    EventBus bus = buses.created(ContractSettings.defaults().withBufferSize(1));
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    BusMetrics.bind(bus, registry);
    bus.start().block(WAIT);
    subscribe(bus, "metered", new EventLog().handler());
    subscribe(bus, "metered", event -> Mono.error(new IllegalStateException("boom")));
    ControlledSubscriber<Event<Object>> stalled = buses.withoutDemand(bus.subscribeAsync("metered"));

    for (int i = 0; i < 3; i++) {
      publish(bus, "metered", i);
    }
    stalled.dispose();

    // 3 publishes; 2 sync handlers took each (one failing); the stalled buffer kept 1 and refused 2, then lost
    // the 1 it kept when cancelled.
    eventually().untilAsserted(() -> assertThat(bus.stats()).isEqualTo(new BusStats(3, 6, 3, 3)));
    assertThat(count(registry, "fluxbus.events.published")).isEqualTo(3);
    assertThat(count(registry, "fluxbus.events.delivered")).isEqualTo(6);
    assertThat(count(registry, "fluxbus.events.failed")).isEqualTo(3);
    assertThat(count(registry, "fluxbus.events.dropped")).isEqualTo(3);
    assertThat(count(registry, "fluxbus.events.dropped", "reason", "buffer_full")).isEqualTo(2);
    assertThat(count(registry, "fluxbus.events.dropped", "reason", "unsubscribed")).isEqualTo(1);
  }

  @Test
  @DisplayName("the subscriptions gauge follows subscribe and unsubscribe")
  void theSubscriptionsGaugeFollowsSubscriptions() {
    EventBus bus = buses.started();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    BusMetrics.bind(bus, registry);

    subscribe(bus, "metered.a", new EventLog().handler());
    var second = subscribe(bus, "metered.b", new EventLog().handler());
    bus.subscribe("metered.#").subscribe();
    // Micrometer holds a gauge's state weakly: a gauge on a throwaway object reads NaN after a collection
    System.gc();
    assertThat(value(registry, "fluxbus.subscriptions")).isEqualTo(3);

    second.cancel().block(WAIT);
    assertThat(value(registry, "fluxbus.subscriptions")).isEqualTo(2);
  }

  @Test
  @DisplayName("every meter is tagged with the engine and none with the topic")
  void metersAreTaggedWithTheEngineNeverTheTopic() {
    EventBus bus = buses.started();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    BusMetrics.bind(bus, registry);
    subscribe(bus, "metered.*", new EventLog().handler());
    bus.subscribeAsync("metered.#", new EventLog().handler()).block(WAIT);

    publish(bus, "metered.topic", 1);

    assertThat(registry.getMeters()).as("meters named fluxbus.*")
        .filteredOn(meter -> meter.getId().getName().startsWith("fluxbus."))
        .isNotEmpty()
        .allSatisfy(meter -> {
          assertThat(meter.getId().getTag("engine")).as("engine tag of %s", meter.getId()).isNotBlank();
          assertThat(meter.getId().getTag("topic")).as("topic tag of %s", meter.getId()).isNull();
        });
  }

  /** The sum of the COUNT statistic of every meter named {@code name} with the given tags. */
  private static double count(MeterRegistry registry, String name, String... tags) {
    return sum(registry, name, Statistic.COUNT, tags);
  }

  /** The sum of the VALUE statistic (gauges) of every meter named {@code name}. */
  private static double value(MeterRegistry registry, String name) {
    return sum(registry, name, Statistic.VALUE);
  }

  private static double sum(MeterRegistry registry, String name, Statistic statistic, String... tags) {
    return registry.find(name).tags(tags).meters().stream()
        .map(Meter::measure)
        .flatMap(measurements -> StreamSupport.stream(measurements.spliterator(), false))
        .filter(measurement -> measurement.getStatistic() == statistic)
        .mapToDouble(Measurement::getValue)
        .sum();
  }
}
