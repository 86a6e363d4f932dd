package io.fluxbus.test;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxbus.EventBus;
import io.fluxbus.memory.MemoryEventBus;
import io.micrometer.core.instrument.Measurement;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The engine contract run against {@link MemoryEventBus}. It lives here rather than in {@code bus-memory} because
 * {@code bus-test} depends on {@code bus-memory}.
 */
@DisplayName("MemoryEventBus passes the engine contract")
class MemoryEventBusContractTest extends EventBusContract {

  @Override
  protected EventBus createBus(ContractSettings settings) {
    return memoryBus(settings).build();
  }

  static MemoryEventBus.Builder memoryBus(ContractSettings settings) {
    return MemoryEventBus.builder()
        .bufferSize(settings.bufferSize())
        .deliveryMode(settings.deliveryMode())
        .drainTimeout(settings.drainTimeout())
        .source(settings.source());
  }

  @Test
  @DisplayName("the builder's meterRegistry binds the same meters as BusMetrics.bind")
  void theBuildersMeterRegistryBindsMeters() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    EventBus bus = memoryBus(ContractSettings.defaults()).meterRegistry(registry).build();
    bus.start().block(Duration.ofSeconds(10));
    try {
      bus.subscribe("metered").subscribe();
      bus.publish("metered", 1).block(Duration.ofSeconds(10));

      assertThat(registry.get("fluxbus.events.published").meter().measure())
          .extracting(Measurement::getValue).containsExactly(1.0);
      assertThat(registry.find("fluxbus.events.delivered").meters()).isNotEmpty();
      assertThat(registry.find("fluxbus.subscriptions").meters()).isNotEmpty();
    } finally {
      bus.stop().block(Duration.ofSeconds(10));
    }
  }
}
