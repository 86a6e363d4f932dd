package io.fluxbus.r2dbc;

import static io.fluxbus.r2dbc.TestBuses.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fluxbus.ConfigException;
import io.fluxbus.EngineUnavailableException;
import io.fluxbus.EventBus;
import io.fluxbus.spi.EngineProvider;
import io.fluxbus.spi.EngineSettings;
import java.time.Duration;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.test.StepVerifier;

/** Configuration of the {@code postgres} engine type, and what it reveals of its credentials (nothing). */
@DisplayName("PostgresEngineProvider and connection settings")
class PostgresEngineProviderTest {

  private static EngineProvider provider() {
    return ServiceLoader.load(EngineProvider.class).stream().map(ServiceLoader.Provider::get)
        .filter(p -> p.type().equals("postgres")).findFirst().orElseThrow();
  }

  @Test
  @DisplayName("the provider is found by type 'postgres' and builds a bus from every documented key")
  void buildsABusFromEveryKey() {
    EventBus bus = provider().create(EngineSettings.of("durable", "orders-service", Map.ofEntries(
        Map.entry("url", "r2dbc:postgresql://app@db.example:5433/orders"), Map.entry("password", "s3cret"),
        Map.entry("sslMode", "require"), Map.entry("schema", "orders_bus"), Map.entry("poolInitialSize", 2),
        Map.entry("poolMaxSize", 8), Map.entry("pollInterval", "250ms"), Map.entry("batchSize", 100),
        Map.entry("retention", "7d"), Map.entry("partitions", 8), Map.entry("groupLease", "10s"),
        Map.entry("appendConnections", 3), Map.entry("notifyInterval", "5ms"),
        Map.entry("source", "billing-service"), Map.entry("bufferSize", 64), Map.entry("workers", 2),
        Map.entry("deliveryMode", "timeout"), Map.entry("publishBlockTimeout", "100ms"),
        Map.entry("drainTimeout", "2s"))));

    assertThat(bus).isInstanceOf(PostgresEventBus.class);
    assertThat(((PostgresEventBus) bus).schema()).isEqualTo("orders_bus");
    assertThat(bus.toString()).contains("db.example:5433/orders").contains("partitions=8").doesNotContain("s3cret");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("impossibleCombinations")
  @DisplayName("a value the engine cannot work with is a ConfigException naming the key and what is allowed")
  void impossibleValuesNameTheirKey(String key, Map<String, Object> config, String allowed) {
    Map<String, Object> withUrl = new java.util.HashMap<>(config);
    withUrl.put("url", "r2dbc:postgresql://app:s3cret@localhost/db");

    assertThatThrownBy(() -> provider().create(EngineSettings.of("durable", null, withUrl)))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'" + key + "'").hasMessageContaining(allowed)
        .hasMessageNotContaining("s3cret");
  }

  static Stream<Arguments> impossibleCombinations() {
    return Stream.of(
        Arguments.of("poolInitialSize", Map.of("poolInitialSize", 8, "poolMaxSize", 4), "must not exceed poolMaxSize"),
        Arguments.of("partitions", Map.of("partitions", 2048), "between 1 and 1024"),
        Arguments.of("appendConnections", Map.of("appendConnections", 12), "must not exceed poolMaxSize (10)"),
        Arguments.of("groupLease", Map.of("groupLease", "50ms"), "at least 100ms"),
        Arguments.of("retention", Map.of("retention", "1s", "pollInterval", "2s"), "longer than pollInterval"),
        Arguments.of("notifyInterval", Map.of("notifyInterval", "1s", "pollInterval", "1s"),
            "shorter than pollInterval"),
        Arguments.of("notifyInterval", Map.of("notifyInterval", "0ms"), "positive duration"),
        Arguments.of("sslMode", Map.of("sslMode", "sometimes"), "verify-full"));
  }

  @Test
  @DisplayName("a missing url, or one of another driver, is a ConfigException naming key 'url', without the password")
  void urlIsRequiredAndMustBePostgres() {
    assertThatThrownBy(() -> provider().create(EngineSettings.of("durable", null, Map.of("schema", "x"))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'url'").hasMessageContaining("r2dbc:postgresql://");
    assertThatThrownBy(() -> provider().create(EngineSettings.of("durable", null,
        Map.of("url", "r2dbc:mysql://app:s3cret@localhost/db"))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'url'").hasMessageContaining("mysql")
        .hasMessageNotContaining("s3cret");
  }

  @Test
  @DisplayName("an unknown key is a ConfigException naming it and the closest known key")
  void unknownKeyIsRejected() {
    assertThatThrownBy(() -> provider().create(EngineSettings.of("durable", null,
        Map.of("url", "r2dbc:postgresql://localhost/db", "pollIntervall", "1s"))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("pollIntervall").hasMessageContaining("pollInterval");
  }

  @Test
  @DisplayName("a schema that is not a plain identifier is rejected before any SQL is built")
  void schemaMustBeAnIdentifier() {
    assertThatThrownBy(() -> provider().create(EngineSettings.of("durable", null,
        Map.of("url", "r2dbc:postgresql://localhost/db", "schema", "x\"; DROP TABLE users; --"))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("schema").hasMessageContaining("DROP TABLE");
  }

  @Test
  @DisplayName("start against an unreachable server fails with EngineUnavailableException naming host:port, not the password")
  void unreachableServerNamesTheAddressNotThePassword() {
    PostgresEventBus bus = PostgresEventBus.builder("r2dbc:postgresql://app:s3cret@127.0.0.1:1/orders").build();

    StepVerifier.create(bus.start())
        .expectErrorSatisfies(error -> assertThat(error).isInstanceOf(EngineUnavailableException.class)
            .hasMessageContaining("127.0.0.1:1").hasMessageNotContaining("s3cret"))
        .verify(WAIT);
    assertThat(bus.toString()).doesNotContain("s3cret");
  }

  @Test
  @DisplayName("the builder refuses a retention not longer than the poll interval, naming both")
  void builderRefusesRetentionWithinThePollInterval() {
    assertThatThrownBy(() -> PostgresEventBus.builder("r2dbc:postgresql://app@localhost/db")
        .pollInterval(Duration.ofSeconds(2)).retention(Duration.ofSeconds(1)).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("retention (PT1S)")
        .hasMessageContaining("pollInterval (PT2S)");
  }

  @Test
  @DisplayName("a URL of another driver is a ConfigException that does not echo the password")
  void otherDriverUrlIsRejected() {
    assertThatThrownBy(() -> PostgresEventBus.builder("r2dbc:mysql://app:s3cret@localhost/db").build())
        .isInstanceOf(ConfigException.class).hasMessageContaining("mysql").hasMessageNotContaining("s3cret");
  }
}
