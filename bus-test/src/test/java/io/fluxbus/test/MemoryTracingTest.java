package io.fluxbus.test;

import io.fluxbus.EventBus;
import io.fluxbus.memory.MemoryEventBus;
import io.micrometer.observation.ObservationRegistry;
import org.junit.jupiter.api.DisplayName;

/** The tracing contract on the memory engine: deliveries are observed on the publishing bus itself. */
@DisplayName("MemoryEventBus traces publishes and deliveries")
class MemoryTracingTest extends TracingContract {

  @Override
  protected EventBus createBus(String log, ObservationRegistry registry) {
    MemoryEventBus.Builder builder = MemoryEventBus.builder().workers(2);
    return (registry == null ? builder : builder.observationRegistry(registry)).build();
  }

  @Override
  protected void deleteLog(String log) {
    // the memory engine keeps nothing
  }

  @Override
  protected boolean busesShareEvents() {
    return false;
  }
}
