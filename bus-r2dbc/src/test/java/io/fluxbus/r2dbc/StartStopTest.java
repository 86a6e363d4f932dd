package io.fluxbus.r2dbc;

import static io.fluxbus.r2dbc.TestBuses.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fluxbus.BusNotStartedException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/** What {@code start()} and {@code stop()} leave behind when they meet. */
@DisplayName("Starting and stopping")
class StartStopTest {

  private static final String SCHEMA = PostgresTestServer.freshSchema("startstop");

  @AfterAll
  static void dropSchema() {
    PostgresTestServer.dropSchema(SCHEMA);
  }

  @Test
  @DisplayName("stop() called while start() connects waits for the start, then stops: the bus ends stopped, its "
      + "connections closed")
  void aStopDuringStartStopsTheBus() throws Exception {
    PostgresEventBus bus = TestBuses.bus(SCHEMA, Duration.ofHours(1)).name("early").build();
    try {
      CompletableFuture<Void> starting = bus.start().toFuture();

      bus.stop().block(WAIT);

      starting.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      assertThat(bus.toString()).contains("state=stopped");
      StepVerifier.create(bus.publish("after.stop", 1)).expectError(BusNotStartedException.class).verify(WAIT);
      await().atMost(WAIT).until(() -> PostgresTestServer.query("SELECT count(*) FROM pg_stat_activity "
          + "WHERE application_name LIKE $1", "fluxbus%:early:" + SCHEMA).get(0), "0"::equals);
    } finally {
      TestBuses.stop(bus);
    }
  }
}
