package io.fluxbus.r2dbc;

import static io.fluxbus.r2dbc.TestBuses.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fluxbus.ConfigException;
import io.fluxbus.EngineUnavailableException;
import io.fluxbus.internal.Redaction;
import io.fluxbus.spi.EngineProvider;
import io.fluxbus.spi.EngineSettings;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import reactor.test.StepVerifier;

/** Which URLs the engine takes, and that no message or {@code toString} ever shows a password. */
@DisplayName("Server URLs: credentials are never printed, ambiguous ones are refused")
class PostgresAddressTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "r2dbc:postgresql://app:Pa55/w0rd@db.internal:5432/orders | Pa55/w0rd",
      "r2dbc:postgresql://app:p@ssword@db.internal:5432/orders  | p@ssword",
      "r2dbc:postgresql://app:p@ss/word@db.internal/orders      | p@ss/word",
      "r2dbc:postgresql://app:pa?ss@db.internal/orders          | pa?ss",
      "r2dbc:postgresql://app:pa#ss@db.internal/orders          | pa#ss",
      "r2dbc:postgresql://app:1234/x@db.internal/orders         | 1234/x"})
  @DisplayName("a URL whose password is not percent-encoded is a ConfigException that says so, with the password "
      + "masked")
  void unencodedPasswordsAreRefusedWithoutShowingThem(String url, String password) {
    assertThatThrownBy(() -> PostgresEventBus.builder(url).build())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("percent-encode")
        .hasMessageContaining("://***@")
        .satisfies(error -> assertThat(error.getMessage()).doesNotContain(password)
            .doesNotContain(password.substring(0, 3)));
  }

  @Test
  @DisplayName("a percent-encoded password is decoded: the bus builds, and neither its toString nor a failed start "
      + "shows the password")
  void percentEncodedPasswordsWork() {
    PostgresEventBus bus = PostgresEventBus.builder("r2dbc:postgresql://app:Pa55%2Fw0rd%40x@127.0.0.1:1/orders")
        .build();

    assertThat(bus.toString()).contains("127.0.0.1:1/orders").doesNotContain("Pa55");
    StepVerifier.create(bus.start())
        .expectErrorSatisfies(error -> assertThat(error).isInstanceOf(EngineUnavailableException.class)
            .hasMessageContaining("127.0.0.1:1/orders").hasMessageNotContaining("Pa55"))
        .verify(WAIT);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "r2dbc:mysql://app:Pa55/w0rd@db.internal:3306/orders       | Pa55/w0rd",
      "r2dbc:mysql://app:p@ssword@db.internal:3306/orders        | p@ssword",
      "r2dbc:postgresql://app:s3cret@db/orders?password=other    | other",
      "not a url app:s3cret@db                                   | s3cret"})
  @DisplayName("a URL that is refused for another reason is shown masked too")
  void otherRefusedUrlsAreMasked(String url, String password) {
    assertThatThrownBy(() -> PostgresEventBus.builder(url).build())
        .isInstanceOf(ConfigException.class)
        .satisfies(error -> assertThat(error.getMessage()).doesNotContain(password));
  }

  @Test
  @DisplayName("redact masks everything between :// and the last @, whatever the password holds")
  void redactMasksTheWholeCredentials() {
    assertThat(Redaction.url("r2dbc:postgresql://app:p@ss/w0rd@db.internal:5432/orders"))
        .isEqualTo("r2dbc:postgresql://***@db.internal:5432/orders");
    assertThat(Redaction.url("r2dbc:postgresql://db.internal/orders"))
        .isEqualTo("r2dbc:postgresql://db.internal/orders");
  }

  @Test
  @DisplayName("a URL without a user is a ConfigException saying so, unless the user is given on its own")
  void aUserIsRequired() {
    assertThatThrownBy(() -> PostgresEventBus.builder("r2dbc:postgresql://127.0.0.1:5432/postgres").build())
        .isInstanceOf(ConfigException.class).hasMessageContaining("no user").hasMessageContaining("user[:password]@host");
    assertThatThrownBy(() -> provider().create(EngineSettings.of("durable", null,
        Map.of("url", "r2dbc:postgresql://127.0.0.1:5432/postgres"))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'url'").hasMessageContaining("no user");

    assertThat(PostgresEventBus.builder("r2dbc:postgresql://127.0.0.1:5432/postgres").user("app").build())
        .hasToString("PostgresEventBus{engine=postgres, server=127.0.0.1:5432/postgres, schema=fluxbus, "
            + "partitions=1, state=stopped}");
  }

  @Test
  @DisplayName("IPv6 hosts and failover host lists are not mistaken for credentials")
  void ipv6AndFailoverHostsAreAccepted() {
    assertThat(PostgresEventBus.builder("r2dbc:postgresql://app:pw@[::1]:5432/orders").build().toString())
        .contains("server=[::1]:5432/orders");
    assertThat(PostgresEventBus.builder("r2dbc:postgresql:failover://app:pw@db1:5432,db2:5433/orders").build()
        .toString()).contains("db1:5432,db2:5433");
  }

  private static EngineProvider provider() {
    return ServiceLoader.load(EngineProvider.class).stream().map(ServiceLoader.Provider::get)
        .filter(p -> p.type().equals("postgres")).findFirst().orElseThrow();
  }
}
