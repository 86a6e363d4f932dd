package io.fluxbus.r2dbc;

import io.fluxbus.EventBus;
import io.fluxbus.test.Capabilities;
import io.fluxbus.test.ContractSettings;
import io.fluxbus.test.EventBusContract;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;

/**
 * The engine contract, with the durable-log promises, run against {@link PostgresEventBus} on a real PostgreSQL.
 * Each bus gets a schema of its own, so that the groups and log of one test never meet another's; the schemas are
 * dropped after the class.
 */
@DisplayName("PostgresEventBus passes the engine contract")
class PostgresContractTest extends EventBusContract {

  private static final List<String> SCHEMAS = new CopyOnWriteArrayList<>();

  /** Events reach local subscribers after the database has answered, on the bus's own thread; a durable log. */
  @Override
  protected Capabilities capabilities() {
    return Capabilities.durable();
  }

  @Override
  protected EventBus createBus(ContractSettings settings) {
    String schema = PostgresTestServer.freshSchema("contract");
    SCHEMAS.add(schema);
    return PostgresEventBus.builder(PostgresTestServer.url())
        .schema(schema)
        .pollInterval(Duration.ofMillis(200))
        .groupLease(Duration.ofSeconds(2))
        .poolMaxSize(4)
        .workers(2)
        .bufferSize(settings.bufferSize())
        .deliveryMode(settings.deliveryMode())
        .drainTimeout(settings.drainTimeout())
        .source(settings.source())
        .build();
  }

  @AfterAll
  static void dropSchemas() {
    PostgresTestServer.dropSchemas(SCHEMAS);
  }
}
