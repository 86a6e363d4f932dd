package io.fluxbus.examples.webflux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fluxbus.Event;
import io.fluxbus.EventBus;
import io.fluxbus.RetryPolicy;
import io.fluxbus.SubscribeOptions;
import io.fluxbus.r2dbc.PostgresTestServer;
import io.fluxbus.redis.RedisTestServer;
import io.fluxbus.router.EventBuses;
import io.fluxbus.test.InMemoryTracing;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.observation.ObservationRegistry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanId;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Mono;

/**
 * One trace across processes and engines, as issue 15 asks: an HTTP request to the WebFlux example (its bus a Redis
 * streams engine, built by the starter with the application's {@code ObservationRegistry}) publishes; a group member
 * on a second bus (its own Redis connections, as another process) fails once, is retried, and publishes a follow-up
 * to PostgreSQL; a subscriber on a third bus (its own pool) gets it. Every span is in the request's trace, each
 * under the one that caused it; the failed attempt is a span of its own.
 *
 * <p>Catches: an engine that drops the {@code traceparent} on its wire (the member's spans start a new trace); a
 * handler's observation missing from its {@code Mono}'s context (the follow-up publish is not under the delivery);
 * retries observed once, not per attempt (one process span where two are due).
 */
@DisplayName("tracing: HTTP → Redis streams group member → PostgreSQL subscriber, one trace")
class TracingAcrossEnginesTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final AttributeKey<String> DESTINATION = AttributeKey.stringKey("messaging.destination.name");
  private static final AttributeKey<String> GROUP = AttributeKey.stringKey("messaging.consumer.group.name");

  private final String namespace = "trace_" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1);
  private InMemoryTracing tracing;
  private ConfigurableApplicationContext application;
  private EventBus billing;
  private EventBus ledger;

  @BeforeEach
  void startTracer() {
    tracing = new InMemoryTracing();
  }

  @AfterEach
  void stopEverything() {
    if (application != null) {
      application.close();
    }
    for (EventBus bus : new EventBus[] {billing, ledger}) {
      if (bus != null) {
        bus.stop().onErrorResume(error -> Mono.empty()).block(WAIT);
      }
    }
    PostgresTestServer.dropSchema(namespace);
    RedisClient client = RedisClient.create(RedisTestServer.url());
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      List<String> keys = connection.sync().keys("{" + namespace + "}*");
      if (!keys.isEmpty()) {
        connection.sync().del(keys.toArray(String[]::new));
      }
    } finally {
      client.shutdown();
    }
    tracing.close();
  }

  /** A bus built as the router builds it from YAML, observing in {@code registry}. */
  private static EventBus bus(String type, Map<String, Object> config, ObservationRegistry registry) {
    EventBus bus = EventBuses.fromMap(Map.of("engines", List.of(Map.of("name", type, "type", type, "config",
        config))), "tracing test", registry);
    bus.start().block(WAIT);
    return bus;
  }

  @Test
  @DisplayName("the request's trace id spans the publish, each attempt of the member, its follow-up and the last hop")
  void oneTraceAcrossProcessesAndEngines() {
    application = new SpringApplicationBuilder(FluxbusWebfluxApplication.class)
        .initializers(context -> context.getBeanFactory().registerSingleton("observationRegistry",
            tracing.registry()))
        .properties(FluxbusWebfluxApplication.DEFAULTS)
        .properties("server.port=0", "fluxbus.config=",
            "fluxbus.engines[0].name=orders", "fluxbus.engines[0].type=redis",
            "fluxbus.engines[0].config.url=" + RedisTestServer.url(), "fluxbus.engines[0].config.mode=streams",
            "fluxbus.engines[0].config.namespace=" + namespace, "fluxbus.engines[0].config.block-timeout=100ms")
        .run();
    billing = bus("redis", Map.of("url", RedisTestServer.url(), "mode", "streams", "namespace", namespace,
        "blockTimeout", "100ms"), tracing.registry());
    EventBus invoices = bus("postgres", Map.of("url", PostgresTestServer.url(), "schema", namespace,
        "pollInterval", "100ms"), tracing.registry());
    ledger = bus("postgres", Map.of("url", PostgresTestServer.url(), "schema", namespace, "pollInterval", "100ms"),
        tracing.registry());
    AtomicInteger attempts = new AtomicInteger();
    billing.subscribe(OrderEvents.PLACED, SubscribeOptions.defaults().group("billing").async(true)
            .startFrom(io.fluxbus.StartPosition.earliest())
            .retry(RetryPolicy.exponential(2, Duration.ofMillis(10), Duration.ofMillis(10))),
        event -> attempts.incrementAndGet() == 1 ? Mono.error(new IllegalStateException("billing is warming up"))
            : invoices.publish(Event.builder("invoices.issued", Map.of("order", event.id())).causedBy(event).build())
                .then()).block(WAIT);
    Queue<Event<Object>> issued = new ConcurrentLinkedQueue<>();
    ledger.subscribe("invoices.#", SubscribeOptions.defaults().async(true),
        event -> Mono.fromRunnable(() -> issued.add(event))).block(WAIT);

    WebfluxApplications.client(application, WAIT).post().uri("/orders").contentType(MediaType.APPLICATION_JSON)
        .bodyValue(Map.of("customer", "c-1", "sku", "sku-1", "quantity", 1, "total", 12.5))
        .exchange().expectStatus().isAccepted();

    await().atMost(WAIT).until(() -> issued.size() == 1 && tracing.spans("process invoices.#").size() == 1);
    invoices.stop().block(WAIT);
    List<SpanData> spans = tracing.spans();
    SpanData server = spans.stream().filter(span -> span.getKind() == SpanKind.SERVER).findFirst().orElseThrow(
        () -> new AssertionError("no HTTP server span among " + spans.stream().map(SpanData::getName).toList()));
    assertThat(server.getParentSpanId()).as("the request is the trace's root").isEqualTo(SpanId.getInvalid());
    assertThat(spans).as("every span is in the request's trace").allSatisfy(span ->
        assertThat(span.getTraceId()).as(span.getName()).isEqualTo(server.getTraceId()));
    SpanData placed = publishOf(spans, OrderEvents.PLACED);
    assertThat(placed.getParentSpanId()).as("publish under the request").isEqualTo(server.getSpanId());
    List<SpanData> tries = spans.stream().filter(span -> span.getName().equals("process " + OrderEvents.PLACED)
        && "billing".equals(span.getAttributes().get(GROUP))).toList();
    assertThat(tries).as("one span per attempt").hasSize(2).allSatisfy(attempt ->
        assertThat(attempt.getParentSpanId()).isEqualTo(placed.getSpanId()));
    assertThat(tries).extracting(attempt -> attempt.getStatus().getStatusCode())
        .containsExactly(StatusCode.ERROR, StatusCode.UNSET);
    SpanData followUp = publishOf(spans, "invoices.issued");
    assertThat(followUp.getParentSpanId()).as("follow-up under the successful attempt")
        .isEqualTo(tries.get(1).getSpanId());
    assertThat(tracing.spans("process invoices.#")).singleElement().satisfies(last ->
        assertThat(last.getParentSpanId()).isEqualTo(followUp.getSpanId()));
    assertThat(issued.peek().causationId()).isNotNull();
  }

  private static SpanData publishOf(List<SpanData> spans, String topic) {
    return spans.stream().filter(span -> span.getName().equals("publish")
        && topic.equals(span.getAttributes().get(DESTINATION))).findFirst().orElseThrow(
            () -> new AssertionError("no publish of " + topic + " among " + spans.stream().map(SpanData::getName)
                .toList()));
  }
}
