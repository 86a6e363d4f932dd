package io.fluxbus.examples.webflux;

import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A Spring Boot WebFlux application with Fluxbus embedded: the bus is a bean built from a YAML file
 * ({@link BusConfiguration}), a controller publishes and streams ({@link OrderController}), and Flux pipelines handle
 * the events ({@link OrderPipelines}). Port 8081 unless {@code server.port} says otherwise, so it can run beside the
 * gateway.
 */
@SpringBootApplication
public class FluxbusWebfluxApplication {

  /** Defaults under any other configuration: port 8081, and error answers that say what was wrong. */
  static final Map<String, Object> DEFAULTS = Map.of("server.port", "8081", "spring.web.error.include-message", "always");

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
