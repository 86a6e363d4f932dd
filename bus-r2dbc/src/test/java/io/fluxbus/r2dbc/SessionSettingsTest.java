package io.fluxbus.r2dbc;

import static io.fluxbus.r2dbc.TestBuses.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fluxbus.ConfigException;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactories;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

/**
 * The engine's own connections bound stuck work: a pass cannot hold its locks, and so its partitions, for ever.
 * Both the pool and the listener connect with {@link PostgresAddress#options(String)}.
 */
@DisplayName("The engine's connections time out stuck work")
class SessionSettingsTest {

  @Test
  @DisplayName("the engine's connections wait at most 10 s for a lock and 60 s for a statement or an idle transaction")
  void engineConnectionsHaveTimeouts() {
    PostgresAddress address = PostgresAddress.of(PostgresTestServer.url(), null, null, null);

    assertThat(settingsSeenBy(address)).containsExactly("10s", "1min", "1min");
  }

  @Test
  @DisplayName("timeouts the URL sets itself win over the engine's")
  void theUrlsOwnSettingsWin() {
    PostgresAddress address = PostgresAddress.of(withQuery("options=lock_timeout%3D3s"), null, null,
        null);

    assertThat(settingsSeenBy(address)).containsExactly("3s", "1min", "1min");
  }

  @Test
  @DisplayName("URL options that are not name=value pairs are a ConfigException naming the pair")
  void malformedUrlOptionsAreRefused() {
    assertThatThrownBy(() -> PostgresAddress.of(withQuery("options=lock_timeout"), null, null, null))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'lock_timeout' is not name=value");
  }

  private static String withQuery(String option) {
    String url = PostgresTestServer.url();
    return url + (url.contains("?") ? "&" : "?") + option;
  }

  private static List<String> settingsSeenBy(PostgresAddress address) {
    return Flux.usingWhen(ConnectionFactories.get(address.options("fluxbus-settings-test")).create(),
            c -> Flux.from(c.createStatement("SELECT current_setting('lock_timeout'), "
                    + "current_setting('statement_timeout'), current_setting('idle_in_transaction_session_timeout')")
                .execute())
                .flatMap(result -> result.map((row, meta) -> List.of(row.get(0, String.class),
                    row.get(1, String.class), row.get(2, String.class)))),
            Connection::close)
        .blockFirst(WAIT);
  }
}
