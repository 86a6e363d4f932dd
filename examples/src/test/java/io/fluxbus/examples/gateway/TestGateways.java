package io.fluxbus.examples.gateway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Starts gateways for tests: on 127.0.0.1, a free port, small limits, optionally with a YAML configuration. */
final class TestGateways {

  /** The body limit of test gateways. */
  static final int MAX_BODY = 4096;

  private TestGateways() {}

  static GatewaySettings settings() {
    return GatewaySettings.defaults().withHost("127.0.0.1").withPort(0).withMaxBodyBytes(MAX_BODY);
  }

  /** Starts a gateway on the built-in configuration (one memory engine). */
  static Gateway start() {
    return Gateway.start(settings()).block(GatewayClient.TIMEOUT);
  }

  /** Starts a gateway on {@code yaml}, written to a file in {@code dir}. */
  static Gateway start(Path dir, String yaml) {
    try {
      Path config = Files.writeString(dir.resolve("fluxbus.yaml"), yaml);
      return Gateway.start(settings().withConfig(config)).block(GatewayClient.TIMEOUT);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
