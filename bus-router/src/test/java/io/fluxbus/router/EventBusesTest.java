package io.fluxbus.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fluxbus.ConfigException;
import io.fluxbus.Event;
import java.io.ByteArrayInputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

class EventBusesTest {

  private static final Duration WAIT = Duration.ofSeconds(5);
  private EngineRouter started;

  @AfterEach
  void stop() {
    if (started != null) {
      started.stop().block(WAIT);
    }
    System.clearProperty("FLUXBUS_TEST_DURABLE_BUFFER");
    System.clearProperty("FLUXBUS_TEST_SOURCE");
  }

  private static Path good(String name) throws URISyntaxException {
    return Path.of(EventBusesTest.class.getResource("/good/" + name).toURI());
  }

  @Test
  @DisplayName("the documented example builds engines from their types and routes by the first matching rule")
  void fullExample() throws Exception {
    EngineRouter router = EventBuses.fromYaml(good("fluxbus.yaml"));

    assertThat(router.engineNames()).containsExactly("fast", "durable");
    assertThat(router.defaultEngine()).isEqualTo("fast");
    assertThat(router.engineFor("orders.created")).isEqualTo("durable");
    assertThat(router.engineFor("billing.paid")).isEqualTo("durable");
    assertThat(router.engineFor("audit.log")).isEqualTo("fast");
    assertThat(router.engine("fast").toString()).contains("bufferSize=1024", "workers=2",
        "deliveryMode=timeout(PT0.25S)", "source=orders-service");
    assertThat(router.engine("durable").toString()).contains("bufferSize=512", "drainTimeout=PT2S");
    assertThat(router.warnings()).isEmpty();
  }

  @Test
  @DisplayName("events published through a configured bus carry the configured source")
  void sourceIsStamped() throws Exception {
    started = EventBuses.fromYaml(good("fluxbus.yaml"));
    started.start().block(WAIT);

    StepVerifier.create(started.subscribe("orders.#").map(Event::source).take(1))
        .then(() -> started.publish("orders.created", Map.of("id", 1)).subscribe())
        .expectNext("orders-service")
        .verifyComplete();
  }

  @Test
  @DisplayName("${VAR:default} takes a system property or environment value over its default")
  void variablesResolveFromSystemProperties() throws Exception {
    System.setProperty("FLUXBUS_TEST_DURABLE_BUFFER", "64");

    EngineRouter router = EventBuses.fromYaml(good("fluxbus.yaml"));

    assertThat(router.engine("durable").toString()).contains("bufferSize=64");
  }

  @Test
  @DisplayName("${VAR} works in names and sources too, and a missing one is an error naming it")
  void variablesEverywhere() {
    System.setProperty("FLUXBUS_TEST_SOURCE", "billing");
    EngineRouter router = EventBuses.fromYamlString("""
        source: ${FLUXBUS_TEST_SOURCE}
        engines:
          - { name: main, type: memory }
        """);
    assertThat(router.engine("main").toString()).contains("source=billing");

    assertThatThrownBy(() -> EventBuses.fromYamlString("source: ${FLUXBUS_TEST_MISSING}\nengines: []"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("<string>:1:9: source: variable 'FLUXBUS_TEST_MISSING' is not set");
  }

  @Test
  @DisplayName("the Go modular single-engine form is read, with its key names and a warning for unsupported keys")
  void goStyleSingleEngine() {
    EngineRouter router = EventBuses.fromYamlString("""
        engine: memory
        source: go-service
        defaultEventBufferSize: 32
        workerCount: 3
        maxEventQueueSize: 1000
        deliveryMode: block
        publishBlockTimeout: 2s
        """);

    assertThat(router.engineNames()).containsExactly("memory");
    assertThat(router.engine("memory").toString()).contains("bufferSize=32", "workers=3",
        "deliveryMode=block", "publishBlockTimeout=PT2S", "source=go-service");
    assertThat(router.warnings()).singleElement().asString()
        .contains("<string>:5:1").contains("'maxEventQueueSize'").contains("ignored");
  }

  @Test
  @DisplayName("configuration can come from a stream")
  void fromStream() {
    EngineRouter router = EventBuses.fromYaml(new ByteArrayInputStream("""
        engines:
          - name: only
            type: memory
        routing:
          - topics: "a.#"
            engine: only
        """.getBytes(StandardCharsets.UTF_8)));

    assertThat(router.engineFor("a.b")).isEqualTo("only");
  }

  @Test
  @DisplayName("a missing file is a ConfigException naming it")
  void missingFile() {
    assertThatThrownBy(() -> EventBuses.fromYaml(Path.of("does-not-exist.yaml")))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("does-not-exist.yaml: cannot read");
  }

  @Test
  @DisplayName("a shadowed routing rule in a file is a warning, not an error")
  void shadowedRuleWarning() {
    EngineRouter router = EventBuses.fromYamlString("""
        engines:
          - { name: a, type: memory }
          - { name: b, type: memory }
        routing:
          - { topics: ["#"], engine: a }
          - { topics: ["orders.#"], engine: b }
        """);

    assertThat(router.warnings()).singleElement().asString().contains("can never match");
  }
}
