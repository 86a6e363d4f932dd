package io.fluxbus.examples.saga;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxbus.router.EngineRouter;
import io.fluxbus.router.EventBuses;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("the saga demo and its configurations")
class OrderSagaDemoTest {

  @Test
  @DisplayName("the demo completes one order and cancels three, each by its own compensation path")
  void demoRuns() {
    List<String> lines = OrderSagaDemo.run(OrderSagaDemo.defaultBus()).collectList().block(Duration.ofSeconds(20));

    assertThat(lines).anyMatch(l -> l.startsWith("o-1 COMPLETED (track-o-1)"))
        .anyMatch(l -> l.startsWith("o-2 CANCELLED (only 0 of lamp in stock"))
        .anyMatch(l -> l.startsWith("o-3 CANCELLED (shipping failed after 3 attempts") && l.contains("shipping.failed"))
        .anyMatch(l -> l.startsWith("o-4 CANCELLED (payment declined"))
        .contains("charges 3, refunds 2, books left 8, pianos left 1");
  }

  @Test
  @DisplayName("the durable configuration is valid: PostgreSQL and Redis engines, routed like the default")
  void durableConfigurationIsValid() {
    EngineRouter router = EventBuses.fromYaml(Path.of("config/saga-durable.yaml"));
    try {
      assertThat(router.engineNames()).containsExactly("orders", "ledger", "notifications");
      assertThat(router.engineFor("payments.charged")).isEqualTo("ledger");
      assertThat(router.engineFor("orders.cancelled")).isEqualTo("notifications");
      assertThat(router.engineFor("shipping.failed")).isEqualTo("orders");
    } finally {
      router.stop().block(Duration.ofSeconds(10));
    }
  }
}
