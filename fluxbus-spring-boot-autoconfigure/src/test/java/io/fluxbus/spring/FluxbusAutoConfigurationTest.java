package io.fluxbus.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fluxbus.BusNotStartedException;
import io.fluxbus.ConfigException;
import io.fluxbus.EventBus;
import io.fluxbus.memory.MemoryEventBus;
import io.fluxbus.router.EngineRouter;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.support.SpringFactoriesLoader;

@DisplayName("the auto-configured bus: conditions, fluxbus.* properties and startup failures")
class FluxbusAutoConfigurationTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(FluxbusAutoConfiguration.class));

  @Test
  @DisplayName("with nothing configured the bus is one started memory engine named 'memory'")
  void defaultIsOneMemoryEngine() {
    runner.run(context -> {
      EngineRouter bus = context.getBean(EngineRouter.class);
      assertThat(bus.engineNames()).containsExactly("memory");
      assertThat(context.getBean(EventBus.class)).isSameAs(bus);
      assertThat(bus.publish("orders.placed", "o-1").block(TIMEOUT).delivered()).isZero();
    });
  }

  @Test
  @DisplayName("inline engines, routing, default engine and source bind to the router; kebab-case config keys too")
  void inlineProperties() {
    runner.withPropertyValues(
            "fluxbus.source=orders-service",
            "fluxbus.default-engine=fast",
            "fluxbus.engines[0].name=fast",
            "fluxbus.engines[0].type=memory",
            "fluxbus.engines[0].config.bufferSize=1024",
            "fluxbus.engines[0].config.delivery-mode=block",
            "fluxbus.engines[1].name=durable",
            "fluxbus.engines[1].type=memory",
            "fluxbus.engines[1].config.drain-timeout=2s",
            "fluxbus.routing[0].topics=orders.#,billing.#",
            "fluxbus.routing[0].engine=durable")
        .run(context -> {
          EngineRouter bus = context.getBean(EngineRouter.class);
          assertThat(bus.engineNames()).containsExactly("fast", "durable");
          assertThat(bus.defaultEngine()).isEqualTo("fast");
          assertThat(bus.engineFor("billing.paid")).isEqualTo("durable");
          assertThat(bus.engineFor("audit.log")).isEqualTo("fast");
          assertThat(bus.engine("fast").toString()).contains("bufferSize=1024", "deliveryMode=block",
              "source=orders-service");
          assertThat(bus.engine("durable").toString()).contains("drainTimeout=PT2S");
        });
  }

  @Test
  @DisplayName("fluxbus.config reads the router's YAML file from a Spring resource location")
  void configFile() {
    runner.withPropertyValues("fluxbus.config=classpath:io/fluxbus/spring/two-engines.yaml").run(context -> {
      EngineRouter bus = context.getBean(EngineRouter.class);
      assertThat(bus.engineNames()).containsExactly("fast", "durable");
      assertThat(bus.engineFor("orders.placed")).isEqualTo("durable");
    });
  }

  @Test
  @DisplayName("a wrong engine key fails startup with the key's path and the allowed keys, reported by the analyzer")
  void wrongKeyFailsStartup() {
    runner.withPropertyValues("fluxbus.engines[0].name=fast", "fluxbus.engines[0].type=memory",
            "fluxbus.engines[0].config.bufferSiz=8")
        .run(context -> {
          assertThat(context).hasFailed();
          ConfigException cause = rootCause(context.getStartupFailure());
          assertThat(cause).hasMessageStartingWith("fluxbus.*: engines[0].config.bufferSiz: ")
              .hasMessageContaining("did you mean 'bufferSize'?");
          FailureAnalysis analysis = new ConfigFailureAnalyzer().analyze(context.getStartupFailure());
          assertThat(analysis.getDescription()).contains("engines[0].config.bufferSiz", "bufferSize");
          assertThat(analysis.getAction()).contains("fluxbus.");
        });
  }

  @Test
  @DisplayName("an unknown engine type fails startup naming the key and the types on the class path")
  void unknownType() {
    runner.withPropertyValues("fluxbus.engines[0].name=fast", "fluxbus.engines[0].type=memroy")
        .run(context -> assertThat(rootCause(context.getStartupFailure()))
            .hasMessageContaining("engines[0].type: unknown engine type 'memroy'")
            .hasMessageContaining("did you mean 'memory'?"));
  }

  @Test
  @DisplayName("a routing rule to an unknown engine fails startup naming the rule")
  void unknownRoutingEngine() {
    runner.withPropertyValues("fluxbus.routing[0].topics=orders.#", "fluxbus.routing[0].engine=durable")
        .run(context -> assertThat(rootCause(context.getStartupFailure()))
            .hasMessageStartingWith("fluxbus.*: routing[0].engine: unknown engine 'durable'"));
  }

  @Test
  @DisplayName("a file and inline keys together fail startup, as does a file that does not exist")
  void fileAndInlineOrMissingFile() {
    runner.withPropertyValues("fluxbus.config=classpath:io/fluxbus/spring/two-engines.yaml",
            "fluxbus.engines[0].name=fast", "fluxbus.engines[0].type=memory")
        .run(context -> assertThat(rootCause(context.getStartupFailure()))
            .hasMessageContaining("use one form").hasMessageContaining("fluxbus.engines"));
    runner.withPropertyValues("fluxbus.config=classpath:nowhere/fluxbus.yaml")
        .run(context -> assertThat(rootCause(context.getStartupFailure()))
            .hasMessageStartingWith("fluxbus.config: no file at 'classpath:nowhere/fluxbus.yaml'"));
  }

  @Test
  @DisplayName("an error in the file names the file's location, line and key")
  void errorInFile() {
    runner.withPropertyValues("fluxbus.config=classpath:io/fluxbus/spring/bad.yaml")
        .run(context -> assertThat(rootCause(context.getStartupFailure()))
            .hasMessageStartingWith("classpath:io/fluxbus/spring/bad.yaml:4:5: engines[1].typ: unknown key"));
  }

  @Test
  @DisplayName("the application's own EventBus bean wins, and the starter still starts and stops it")
  void ownBusWins() {
    runner.withUserConfiguration(OwnBus.class).run(context -> {
      assertThat(context).doesNotHaveBean(EngineRouter.class);
      EventBus bus = context.getBean(EventBus.class);
      assertThat(bus.publish("a.b", "x").block(TIMEOUT)).isNotNull();
      context.close();
      assertThatThrownBy(() -> bus.publish("a.b", "x").block(TIMEOUT)).isInstanceOf(BusNotStartedException.class);
    });
  }

  @Test
  @DisplayName("fluxbus.enabled=false configures nothing")
  void disabled() {
    runner.withPropertyValues("fluxbus.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean(EventBus.class).doesNotHaveBean(FluxbusLifecycle.class));
  }

  @Test
  @DisplayName("closing the context stops the bus: publishes are refused")
  void closeStopsTheBus() {
    runner.run(context -> {
      EventBus bus = context.getBean(EventBus.class);
      context.close();
      assertThatThrownBy(() -> bus.publish("a.b", "x").block(TIMEOUT)).isInstanceOf(BusNotStartedException.class);
    });
  }

  @Test
  @DisplayName("the bus stops in a phase before the web server's graceful shutdown and starts before the server")
  void phases() {
    // stop order is descending phase: a phase at or below GRACEFUL_SHUTDOWN_PHASE would let the graceful shutdown
    // wait for open streams first
    assertThat(FluxbusLifecycle.PHASE).isGreaterThan(WebServerApplicationContext.GRACEFUL_SHUTDOWN_PHASE)
        .isGreaterThan(WebServerApplicationContext.START_STOP_LIFECYCLE_PHASE);
  }

  @Test
  @DisplayName("the failure analyzer is registered for Spring Boot's failure reports")
  void analyzerIsRegistered() {
    // other analyzers need constructor arguments the test does not give: skip them
    assertThat(SpringFactoriesLoader.forDefaultResourceLocation().load(FailureAnalyzer.class,
            SpringFactoriesLoader.ArgumentResolver.none(), SpringFactoriesLoader.FailureHandler.handleMessage(
                (message, failure) -> { })))
        .hasAtLeastOneElementOfType(ConfigFailureAnalyzer.class);
  }

  static ConfigException rootCause(Throwable failure) {
    Throwable t = failure;
    while (t != null && !(t instanceof ConfigException)) {
      t = t.getCause();
    }
    assertThat(t).as("a ConfigException in the causes of %s", failure).isNotNull();
    return (ConfigException) t;
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnBus {
    @Bean
    EventBus myBus() {
      return MemoryEventBus.create();
    }
  }
}
