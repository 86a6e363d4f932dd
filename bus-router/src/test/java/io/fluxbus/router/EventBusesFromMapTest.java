package io.fluxbus.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fluxbus.ConfigException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("EventBuses.fromMap: a configuration given as Java values")
class EventBusesFromMapTest {

  @Test
  @DisplayName("builds the same router as the YAML file with the same keys")
  void buildsLikeTheFile() {
    EngineRouter router = EventBuses.fromMap(Map.of(
        "source", "orders-service",
        "defaultEngine", "fast",
        "engines", List.of(
            Map.of("name", "fast", "type", "memory", "config", Map.of("bufferSize", 1024, "workers", "2")),
            Map.of("name", "durable", "type", "memory")),
        "routing", List.of(Map.of("topics", List.of("orders.#"), "engine", "durable"))), "props");

    assertThat(router.engineNames()).containsExactlyInAnyOrder("fast", "durable");
    assertThat(router.engineFor("orders.placed")).isEqualTo("durable");
    assertThat(router.engineFor("audit.log")).isEqualTo("fast");
    assertThat(router.engine("fast").toString()).contains("bufferSize=1024", "workers=2", "source=orders-service");
  }

  @Test
  @DisplayName("a mistake names the origin and the key's path, and says what is allowed, like a file's")
  void mistakesNameOriginAndPath() {
    assertThatThrownBy(() -> EventBuses.fromMap(Map.of("engines", List.of(
        Map.of("name", "fast", "type", "memory", "config", Map.of("bufferSiz", 8)))), "props"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("props: engines[0].config.bufferSiz: ")
        .hasMessageContaining("did you mean 'bufferSize'?");
    assertThatThrownBy(() -> EventBuses.fromMap(Map.of("engines", List.of(Map.of("name", "a", "type", "memory"),
        Map.of("name", "a", "type", "memory"))), "props"))
        .hasMessage("props: engines[1].name: engine 'a' is defined twice (first earlier in the list); engine names "
            + "are unique");
    assertThatThrownBy(() -> EventBuses.fromMap(Map.of("engines", List.of(Map.of("name", "a", "type", "memory")),
        "routing", List.of(Map.of("topics", "orders..#", "engine", "a"))), "props"))
        .hasMessageStartingWith("props: routing[0].topics: ");
  }
}
