package io.fluxbus.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fluxbus.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("gateway settings: flags, environment, defaults")
class GatewaySettingsTest {

  @Test
  @DisplayName("without flags or variables: the built-in configuration on port 8080 with 1 MiB bodies")
  void defaults() {
    GatewaySettings settings = GatewaySettings.parse(List.of(), Map.of());

    assertThat(settings.config()).isNull();
    assertThat(settings.port()).isEqualTo(8080);
    assertThat(settings.host()).isEqualTo("0.0.0.0");
    assertThat(settings.maxBodyBytes()).isEqualTo(1 << 20);
    assertThat(settings.idleTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(settings.requestTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(settings.help()).isFalse();
  }

  @Test
  @DisplayName("FLUXBUS_IDLE_TIMEOUT and FLUXBUS_REQUEST_TIMEOUT are read as ms, s or m; flags win; bad ones name the flag")
  void timeouts() {
    Map<String, String> env = Map.of("FLUXBUS_IDLE_TIMEOUT", "90", "FLUXBUS_REQUEST_TIMEOUT", "2m");

    GatewaySettings fromEnv = GatewaySettings.parse(List.of(), env);
    GatewaySettings fromFlags = GatewaySettings.parse(List.of("--idle-timeout", "500ms", "--request-timeout=5s"), env);

    assertThat(fromEnv).extracting(GatewaySettings::idleTimeout, GatewaySettings::requestTimeout)
        .containsExactly(Duration.ofSeconds(90), Duration.ofMinutes(2));
    assertThat(fromFlags).extracting(GatewaySettings::idleTimeout, GatewaySettings::requestTimeout)
        .containsExactly(Duration.ofMillis(500), Duration.ofSeconds(5));
    assertThatThrownBy(() -> GatewaySettings.parse(List.of("--idle-timeout", "0"), Map.of()))
        .hasMessageContaining("--idle-timeout: '0' is not a duration");
    assertThatThrownBy(() -> GatewaySettings.parse(List.of(), Map.of("FLUXBUS_REQUEST_TIMEOUT", "soon")))
        .hasMessageContaining("FLUXBUS_REQUEST_TIMEOUT: 'soon' is not a duration");
  }

  @Test
  @DisplayName("FLUXBUS_CONFIG, PORT, FLUXBUS_HOST and FLUXBUS_MAX_BODY are read; flags win over them")
  void environmentThenFlags() {
    Map<String, String> env = Map.of("FLUXBUS_CONFIG", "env.yaml", "PORT", "9000", "FLUXBUS_HOST", "127.0.0.1",
        "FLUXBUS_MAX_BODY", "64k");

    GatewaySettings fromEnv = GatewaySettings.parse(List.of(), env);
    GatewaySettings fromFlags = GatewaySettings.parse(List.of("--config", "flag.yaml", "--port=9100",
        "--max-body", "2m"), env);

    assertThat(fromEnv).extracting(GatewaySettings::config, GatewaySettings::port, GatewaySettings::host,
        GatewaySettings::maxBodyBytes).containsExactly(Path.of("env.yaml"), 9000, "127.0.0.1", 64 * 1024);
    assertThat(fromFlags).extracting(GatewaySettings::config, GatewaySettings::port, GatewaySettings::host,
        GatewaySettings::maxBodyBytes).containsExactly(Path.of("flag.yaml"), 9100, "127.0.0.1", 2 << 20);
  }

  @Test
  @DisplayName("bad values and unknown flags are errors naming the flag or variable and the value")
  void badValues() {
    assertThatThrownBy(() -> GatewaySettings.parse(List.of("--port", "http"), Map.of()))
        .hasMessageContaining("--port").hasMessageContaining("'http'");
    assertThatThrownBy(() -> GatewaySettings.parse(List.of(), Map.of("PORT", "70000")))
        .hasMessageContaining("PORT").hasMessageContaining("'70000'");
    assertThatThrownBy(() -> GatewaySettings.parse(List.of("--max-body=lots"), Map.of()))
        .hasMessageContaining("--max-body").hasMessageContaining("'lots'");
    assertThatThrownBy(() -> GatewaySettings.parse(List.of("--prot", "1"), Map.of()))
        .hasMessageContaining("unknown flag '--prot'");
    assertThatThrownBy(() -> GatewaySettings.parse(List.of("--config"), Map.of()))
        .hasMessageContaining("--config: a value is missing");
  }

  @Test
  @DisplayName("--help is noticed")
  void help() {
    assertThat(GatewaySettings.parse(List.of("--help"), Map.of()).help()).isTrue();
  }

  @Test
  @DisplayName("a broken configuration file fails start with the ConfigException naming file, line and key")
  void brokenConfiguration(@TempDir Path dir) throws Exception {
    Path config = Files.writeString(dir.resolve("broken.yaml"), """
        engines:
          - name: memory
            type: memory
            config: { bufferSiz: 10 }
        """);

    assertThatThrownBy(() -> Gateway.start(TestGateways.settings().withConfig(config)).block(GatewayClient.TIMEOUT))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("broken.yaml:4")
        .hasMessageContaining("bufferSiz");
  }

  @Test
  @DisplayName("a port in use fails start naming the address, and leaves no bus running")
  void portInUse() {
    Gateway first = TestGateways.start();
    try {
      assertThatThrownBy(() -> Gateway.start(TestGateways.settings().withPort(first.port()))
          .block(GatewayClient.TIMEOUT))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("cannot listen on 127.0.0.1:" + first.port());
    } finally {
      first.stop().block(GatewayClient.TIMEOUT);
    }
  }
}
