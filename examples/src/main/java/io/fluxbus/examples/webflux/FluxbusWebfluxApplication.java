package io.fluxbus.examples.webflux;

import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A Spring Boot WebFlux application with Fluxbus embedded through {@code fluxbus-spring-boot-starter}: the bus is a
 * bean built from the YAML file {@code fluxbus.config} names, started before the server takes requests and stopped
 * first on shutdown; a controller publishes and streams ({@link OrderController}), and {@code @FluxbusListener} Flux
 * pipelines handle the events ({@link OrderPipelines}). Port 8081 unless {@code server.port} says otherwise, so it can
 * run beside the gateway.
 */
@SpringBootApplication
public class FluxbusWebfluxApplication {

  /**
   * Defaults under any other configuration: port 8081, error answers that say what was wrong, and the bus from the
   * application's own {@code fluxbus.yaml} ({@code --fluxbus.config=file:…} names another).
   */
  static final Map<String, Object> DEFAULTS = Map.of("server.port", "8081", "spring.web.error.include-message", "always",
      "fluxbus.config", "classpath:io/fluxbus/examples/webflux/fluxbus.yaml");

  /**
   * Runs the application until it is stopped.
   *
   * @param args Spring Boot arguments, e.g. {@code --server.port=9000 --fluxbus.config=file:my.yaml}
   */
  public static void main(String[] args) {
    SpringApplication application = new SpringApplication(FluxbusWebfluxApplication.class);
    application.setDefaultProperties(DEFAULTS);
    application.run(args);
  }
}
