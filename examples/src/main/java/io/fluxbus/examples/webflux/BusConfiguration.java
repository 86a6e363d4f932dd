package io.fluxbus.examples.webflux;

import io.fluxbus.router.EngineRouter;
import io.fluxbus.router.EventBuses;
import java.io.IOException;
import java.time.Duration;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.Resource;

/**
 * The bus as a bean, read from the YAML file named by {@code fluxbus.config} (a Spring resource location; the
 * application's own {@code fluxbus.yaml} by default), started when the bean is made so that nothing sees it
 * stopped, and stopped first on shutdown, so that its streams end and the web server's graceful shutdown does not
 * wait for them.
 */
@Configuration(proxyBeanMethods = false)
class BusConfiguration {

  static final Duration LIFECYCLE_TIMEOUT = Duration.ofSeconds(30);

  @Bean
  EngineRouter fluxbus(@Value("${fluxbus.config:classpath:io/fluxbus/examples/webflux/fluxbus.yaml}") Resource config)
      throws IOException {
    EngineRouter bus = EventBuses.fromYaml(config.getInputStream());
    bus.start().block(LIFECYCLE_TIMEOUT);
    return bus;
  }

  @Bean
  SmartLifecycle fluxbusLifecycle(EngineRouter bus) {
    return new SmartLifecycle() {
      private volatile boolean running;

      @Override
      public void start() {
        running = true;
      }

      @Override
      public void stop() {
        bus.stop().block(LIFECYCLE_TIMEOUT);
        running = false;
      }

      @Override
      public boolean isRunning() {
        return running;
      }

      @Override
      public int getPhase() {
        // the last phase to start is the first to stop: before the web server's graceful shutdown
        return SmartLifecycle.DEFAULT_PHASE;
      }
    };
  }
}
