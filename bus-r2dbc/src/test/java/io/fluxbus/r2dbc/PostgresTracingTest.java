package io.fluxbus.r2dbc;

import io.fluxbus.EventBus;
import io.fluxbus.test.TracingContract;
import io.micrometer.observation.ObservationRegistry;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;

/** The tracing contract on PostgreSQL: the trace context crosses buses in the stored event. */
@DisplayName("PostgresEventBus carries the trace context between buses")
class PostgresTracingTest extends TracingContract {

  @Override
  protected EventBus createBus(String log, ObservationRegistry registry) {
    PostgresEventBusBuilder builder = TestBuses.bus(log, Duration.ofMillis(100)).workers(2);
    return (registry == null ? builder : builder.observationRegistry(registry)).build();
  }

  @Override
  protected void deleteLog(String log) {
    PostgresTestServer.dropSchema(log);
  }
}
