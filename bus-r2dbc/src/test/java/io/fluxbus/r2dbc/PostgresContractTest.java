package io.fluxbus.r2dbc;

import io.fluxbus.EventBus;
import io.fluxbus.test.Capabilities;
import io.fluxbus.test.ContractSettings;
import io.fluxbus.test.EventBusContract;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;

/** The engine contract run against {@link PostgresEventBus} on a real PostgreSQL, in a schema of its own. */
@DisplayName("PostgresEventBus passes the engine contract")
class PostgresContractTest extends EventBusContract {

  private static final String SCHEMA = PostgresTestServer.freshSchema("contract");

  /** Events reach local subscribers after the database has answered, on the bus's delivery thread. */
  @Override
  protected Capabilities capabilities() {
    return new Capabilities(false, false);
  }

  @Override
  protected EventBus createBus(ContractSettings settings) {
    return PostgresEventBus.builder(PostgresTestServer.url())
        .schema(SCHEMA)
        .pollInterval(Duration.ofMillis(200))
        .poolMaxSize(4)
        .bufferSize(settings.bufferSize())
        .deliveryMode(settings.deliveryMode())
        .drainTimeout(settings.drainTimeout())
        .source(settings.source())
        .build();
  }

  @AfterAll
  static void dropSchema() {
    PostgresTestServer.dropSchema(SCHEMA);
  }
}
