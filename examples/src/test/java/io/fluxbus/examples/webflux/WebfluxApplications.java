package io.fluxbus.examples.webflux;

import java.time.Duration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.web.reactive.server.WebTestClient;

/** Starts the WebFlux application for tests, on a free port, and makes clients for it. */
final class WebfluxApplications {

  private WebfluxApplications() {}

  /** Runs the application with its defaults, {@code server.port=0} and the given {@code key=value} properties. */
  static ConfigurableApplicationContext start(String... properties) {
    return new SpringApplicationBuilder(FluxbusWebfluxApplication.class)
        .properties(FluxbusWebfluxApplication.DEFAULTS)
        .properties("server.port=0")
        .properties(properties)
        .run();
  }

  /** A client of the running application's server. */
  static WebTestClient client(ConfigurableApplicationContext application, Duration timeout) {
    int port = application.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
    return WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port).responseTimeout(timeout).build();
  }
}
