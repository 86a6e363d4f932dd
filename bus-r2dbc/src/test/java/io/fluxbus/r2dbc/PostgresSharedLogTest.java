package io.fluxbus.r2dbc;

import io.fluxbus.DurableEventBus;
import io.fluxbus.test.SharedLogContract;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;

/**
 * What durable buses sharing a log promise across processes, run against buses on one PostgreSQL schema with pools
 * of their own; each test's schema is dropped after it.
 */
@DisplayName("PostgresEventBus buses sharing a schema pass the shared-log contract")
class PostgresSharedLogTest extends SharedLogContract {

  @Override
  protected DurableEventBus createBus(String log, SharedLogSettings settings) {
    return TestBuses.bus(log, Duration.ofMillis(100))
        .partitions(settings.partitions())
        .groupLease(settings.lease())
        .drainTimeout(settings.drainTimeout())
        .workers(2)
        .build();
  }

  @Override
  protected void freezeLeases(DurableEventBus bus, boolean frozen) {
    ((PostgresEventBus) bus).freezeLeases(frozen);
  }

  @Override
  protected void halt(DurableEventBus bus) {
    ((PostgresEventBus) bus).halt().block(TestBuses.WAIT);
  }

  @Override
  protected void deleteLog(String log) {
    PostgresTestServer.dropSchema(log);
  }
}
