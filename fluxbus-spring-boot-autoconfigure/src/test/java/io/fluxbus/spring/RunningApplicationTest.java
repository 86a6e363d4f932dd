package io.fluxbus.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fluxbus.BusNotStartedException;
import io.fluxbus.EventBus;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/**
 * A WebFlux application with the starter and Actuator, run on a free port and used over HTTP. Started with
 * {@link SpringApplicationBuilder}, not {@code @SpringBootTest}: Spring Framework 7's {@code SpringExtension} needs
 * JUnit 6, and the project tests on JUnit 5.
 */
@DisplayName("a running WebFlux application with the starter")
class RunningApplicationTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private ConfigurableApplicationContext application;
  private WebTestClient client;

  @BeforeEach
  void start() {
    application = new SpringApplicationBuilder(ShopApplication.class)
        .properties("server.port=0", "server.shutdown=graceful",
            // longer than the test waits: a shutdown that waited for the open stream would fail the test
            "spring.lifecycle.timeout-per-shutdown-phase=30s",
            "management.endpoints.web.exposure.include=health,fluxbus",
            "management.endpoint.health.show-details=always",
            "fluxbus.source=shop")
        .run();
    int port = application.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
    client = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port).responseTimeout(TIMEOUT).build();
  }

  @AfterEach
  void stop() {
    application.close();
  }

  @Test
  @DisplayName("/actuator/health/fluxbus is UP per engine, with its state and no configuration")
  void health() {
    client.get().uri("/actuator/health/fluxbus").exchange()
        .expectStatus().isOk()
        .expectBody()
        .jsonPath("$.status").isEqualTo("UP")
        .jsonPath("$.components.memory.status").isEqualTo("UP")
        .jsonPath("$.components.memory.details.state").isEqualTo("RUNNING")
        .jsonPath("$.components.memory.details.config").doesNotExist();
  }

  @Test
  @DisplayName("/actuator/fluxbus lists engines, counters, the listener and its subscription; meters are bound")
  void endpointAndMetrics() {
    client.post().uri("/orders").contentType(MediaType.TEXT_PLAIN).bodyValue("o-1").exchange()
        .expectStatus().isOk();
    ShopApplication.Audit audit = application.getBean(ShopApplication.Audit.class);
    await().atMost(TIMEOUT).until(() -> audit.seen.contains("o-1"));

    client.get().uri("/actuator/fluxbus").exchange()
        .expectStatus().isOk()
        .expectBody()
        .jsonPath("$.running").isEqualTo(true)
        .jsonPath("$.stats.published").isEqualTo(1)
        .jsonPath("$.engines.memory.state").isEqualTo("RUNNING")
        .jsonPath("$.engines.memory.stats.delivered").isEqualTo(1)
        .jsonPath("$.listeners[0].id").isEqualTo("audit")
        .jsonPath("$.listeners[0].group").isEqualTo("audit")
        .jsonPath("$.listeners[0].concurrency").isEqualTo(2)
        .jsonPath("$.subscriptions[?(@.listener == 'audit')].kind").isEqualTo("async handler")
        .jsonPath("$.subscriptions[?(@.listener == 'audit')].group").isEqualTo("audit");
    assertThat(application.getBean(MeterRegistry.class).get("fluxbus.events.published").tag("engine", "memory")
        .functionCounter().count()).isEqualTo(1.0);
  }

  @Test
  @DisplayName("shutdown stops the bus before the graceful shutdown: an open event stream ends normally")
  void shutdownEndsStreams() {
    // catches: the bus stopped in a phase at or below the web server's graceful shutdown; the shutdown would then
    // wait for the open stream (30 s, longer than the test waits) and cut it instead of letting it complete
    Flux<ServerSentEvent<String>> stream = client.get().uri("/orders/stream")
        .accept(MediaType.TEXT_EVENT_STREAM)
        .exchange()
        .expectStatus().isOk()
        .returnResult(new ParameterizedTypeReference<ServerSentEvent<String>>() { })
        .getResponseBody();
    EventBus bus = application.getBean(EventBus.class);

    StepVerifier.create(stream)
        .assertNext(sse -> assertThat(sse.comment()).isEqualTo("subscribed"))
        .then(() -> bus.publish("orders.placed", "o-2").block(TIMEOUT))
        .assertNext(sse -> assertThat(sse.data()).isEqualTo("o-2"))
        .then(() -> new Thread(application::close, "closer").start())
        .expectComplete()
        .verify(TIMEOUT);
    await().atMost(TIMEOUT).until(() -> !application.isActive());
    StepVerifier.create(bus.publish("orders.placed", "late")).expectError(BusNotStartedException.class)
        .verify(TIMEOUT);
  }
}
