package io.fluxbus.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fluxbus.Event;
import io.fluxbus.EventBus;
import io.fluxbus.RetryPolicy;
import io.fluxbus.SubscribeOptions;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.contextpropagation.ObservationThreadLocalAccessor;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.publisher.Mono;

/**
 * Tracing across buses, fixed once for every engine (docs/architecture.md, "Tracing"): with an observation registry
 * backed by a real tracer ({@link InMemoryTracing}), a publish is a producer span under the caller's observation, the
 * event carries its {@code traceparent} over the engine's wire format, and each delivery on another bus (another
 * process, for engines that have a log to share) is a consumer span under the publish; a follow-up publish a handler
 * makes is under that delivery; each attempt of a retried delivery is a span of its own. Without a registry no event
 * gets a {@code traceparent}.
 *
 * <p>Catches (each checked by breaking the memory engine so): a publish that does not write its trace context into
 * the event (deliveries start traces of their own); a handler whose {@code Mono} does not carry its delivery's
 * observation (the follow-up publish is not under the delivery); a handler subscribed outside its observation's
 * scope (its {@code fromRunnable} body sees no span); retries observed once for all attempts.
 *
 * <pre>{@code
 * class RedisTracingTest extends TracingContract {
 *   protected EventBus createBus(String log, ObservationRegistry registry) {
 *     RedisEventBus.Builder builder = RedisEventBus.builder().mode(STREAMS).namespace(log);
 *     return (registry == null ? builder : builder.observationRegistry(registry)).build();
 *   }
 *   protected void deleteLog(String log) { ... }
 * }
 * }</pre>
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class TracingContract {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final AttributeKey<String> SYSTEM = AttributeKey.stringKey("messaging.system");
  private static final AttributeKey<String> DESTINATION = AttributeKey.stringKey("messaging.destination.name");
  private static final AttributeKey<String> GROUP = AttributeKey.stringKey("messaging.consumer.group.name");
  private static final AttributeKey<String> PATTERN = AttributeKey.stringKey("fluxbus.pattern");

  private final List<EventBus> buses = new ArrayList<>();
  private InMemoryTracing tracing;
  private String log;

  /**
   * A new, not yet started bus; buses made with the same {@code log} share it (for an engine with one), as
   * processes would.
   *
   * @param log a name for the log, lowercase letters, digits and '_' (a Redis namespace, a PostgreSQL schema, a
   *     Kafka topic prefix)
   * @param registry the registry the bus must observe in ({@code observationRegistry(registry)} on its builder);
   *     null for a bus built without one
   */
  protected abstract EventBus createBus(String log, ObservationRegistry registry);

  /** Removes the log named {@code log} after a test; nothing for an engine without one. */
  protected abstract void deleteLog(String log);

  /**
   * Whether two buses of this engine share events (a log or a server): then deliveries are observed on a second bus,
   * reached over the wire; otherwise (the memory engine) on the publishing bus itself.
   */
  protected boolean busesShareEvents() {
    return true;
  }

  @BeforeEach
  void newLogAndTracer() {
    log = "trace_" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1);
    tracing = new InMemoryTracing();
  }

  @AfterEach
  void stopBusesAndDeleteTheLog() {
    buses.forEach(bus -> bus.stop().onErrorResume(error -> Mono.empty()).block(WAIT));
    buses.clear();
    deleteLog(log);
    tracing.close();
  }

  private EventBus started(ObservationRegistry registry) {
    EventBus bus = createBus(log, registry);
    buses.add(bus);
    bus.start().block(WAIT);
    return bus;
  }

  /** The bus deliveries are observed on: a second bus when buses share events, else {@code publisher} itself. */
  private EventBus receiver(EventBus publisher) {
    return busesShareEvents() ? started(tracing.registry()) : publisher;
  }

  /** Publishes {@code event} on {@code bus} under a parent observation named {@code request}, as WebFlux would. */
  private void publishInRequest(EventBus bus, Event<?> event) {
    Observation request = Observation.start("request", tracing.registry());
    try {
      bus.publish(event).contextWrite(context -> context.put(ObservationThreadLocalAccessor.KEY, request))
          .block(WAIT);
    } finally {
      request.stop();
    }
  }

  private SpanData only(String name) {
    List<SpanData> spans = tracing.spans(name);
    assertThat(spans).as("spans named '%s' among %s", name, names()).hasSize(1);
    return spans.get(0);
  }

  private List<String> names() {
    return tracing.spans().stream().map(SpanData::getName).toList();
  }

  private static void assertChildOf(SpanData child, SpanData parent) {
    assertThat(child.getTraceId()).as("trace of %s", child.getName()).isEqualTo(parent.getTraceId());
    assertThat(child.getParentSpanId()).as("parent of %s", child.getName()).isEqualTo(parent.getSpanId());
  }

  @Test
  @DisplayName("a delivery on another bus is a consumer span under the publish, which is under the caller's span")
  void aDeliveryIsAChildOfItsPublish() {
    EventBus publisher = started(tracing.registry());
    EventBus receiver = receiver(publisher);
    Queue<Event<Object>> received = new ConcurrentLinkedQueue<>();
    receiver.subscribe("trace.#", SubscribeOptions.defaults().async(true),
        event -> Mono.fromRunnable(() -> received.add(event))).block(WAIT);

    publishInRequest(publisher, Event.of("trace.placed", "one"));

    await().atMost(WAIT).until(() -> tracing.spans("process trace.#").size() == 1);
    SpanData request = only("request");
    SpanData publish = only("publish");
    SpanData process = only("process trace.#");
    assertChildOf(publish, request);
    assertChildOf(process, publish);
    assertThat(publish.getKind()).isEqualTo(SpanKind.PRODUCER);
    assertThat(process.getKind()).isEqualTo(SpanKind.CONSUMER);
    assertThat(publish.getAttributes().get(DESTINATION)).isEqualTo("trace.placed");
    assertThat(publish.getAttributes().get(SYSTEM)).isNotBlank();
    assertThat(process.getAttributes().get(PATTERN)).isEqualTo("trace.#");
    assertThat(process.getAttributes().get(GROUP)).isEqualTo("none");
    // the CloudEvents Distributed Tracing extension, as the wire carried it: version 00, the trace, the publish span,
    // then the flags (sampled, and the tracer's others)
    assertThat(received).singleElement().satisfies(event -> assertThat(event.headers().get("traceparent"))
        .startsWith("00-" + publish.getTraceId() + "-" + publish.getSpanId() + "-").hasSize(55));
  }

  @Test
  @DisplayName("a group member's follow-up publish is under its delivery, and that publish's delivery under it")
  void aFollowUpPublishContinuesTheTrace() {
    EventBus publisher = started(tracing.registry());
    EventBus member = receiver(publisher);
    member.subscribe("trace.placed", SubscribeOptions.defaults().group("billing").async(true),
        event -> member.publish(Event.builder("trace.billed", "billed").causedBy(event).build()).then())
        .block(WAIT);
    publisher.subscribe("trace.billed", event -> Mono.empty()).block(WAIT);

    publishInRequest(publisher, Event.of("trace.placed", "one"));

    await().atMost(WAIT).until(() -> tracing.spans("process trace.billed").size() == 1
        && tracing.spans("process trace.placed").size() == 1);
    List<SpanData> publishes = tracing.spans("publish");
    assertThat(publishes).hasSize(2);
    SpanData first = publishes.stream().filter(span -> "trace.placed".equals(span.getAttributes().get(DESTINATION)))
        .findFirst().orElseThrow();
    SpanData followUp = publishes.stream()
        .filter(span -> "trace.billed".equals(span.getAttributes().get(DESTINATION))).findFirst().orElseThrow();
    SpanData handled = only("process trace.placed");
    assertChildOf(first, only("request"));
    assertChildOf(handled, first);
    assertThat(handled.getAttributes().get(GROUP)).isEqualTo("billing");
    assertChildOf(followUp, handled);
    assertChildOf(only("process trace.billed"), followUp);
  }

  @Test
  @DisplayName("each attempt of a retried delivery is a span of its own under the publish; failed ones say so")
  void eachAttemptIsASpan() {
    EventBus publisher = started(tracing.registry());
    EventBus receiver = receiver(publisher);
    AtomicInteger attempts = new AtomicInteger();
    receiver.subscribe("trace.#", SubscribeOptions.defaults().async(true)
            .retry(RetryPolicy.exponential(3, Duration.ofMillis(5), Duration.ofMillis(5))),
        event -> attempts.incrementAndGet() < 3 ? Mono.error(new IllegalStateException("not yet"))
            : Mono.empty()).block(WAIT);

    publishInRequest(publisher, Event.of("trace.placed", "one"));

    await().atMost(WAIT).until(() -> tracing.spans("process trace.#").size() == 3);
    SpanData publish = only("publish");
    List<SpanData> tries = tracing.spans("process trace.#");
    assertThat(tries).allSatisfy(attempt -> assertChildOf(attempt, publish));
    assertThat(tries).extracting(attempt -> attempt.getStatus().getStatusCode())
        .containsExactly(StatusCode.ERROR, StatusCode.ERROR, StatusCode.UNSET);
  }

  @Test
  @DisplayName("a Flux subscriber receives each event inside its process span")
  void aFluxSubscriberReceivesInsideTheSpan() {
    EventBus publisher = started(tracing.registry());
    EventBus receiver = receiver(publisher);
    Queue<String> currentSpans = new ConcurrentLinkedQueue<>();
    var subscribed = new java.util.concurrent.CountDownLatch(1);
    reactor.core.Disposable subscription = receiver.subscribe("trace.#", Object.class,
            SubscribeOptions.defaults().async(true))
        .doOnSubscribe(s -> subscribed.countDown())
        .subscribe(event -> currentSpans.add(String.valueOf(tracing.tracer().currentSpan() == null ? null
            : tracing.tracer().currentSpan().context().spanId())));
    try {
      await().atMost(WAIT).until(() -> subscribed.getCount() == 0 && receiver.subscriberCount("trace.x") > 0);

      publishInRequest(publisher, Event.of("trace.placed", "one"));

      await().atMost(WAIT).until(() -> tracing.spans("process trace.#").size() == 1);
      SpanData process = only("process trace.#");
      assertChildOf(process, only("publish"));
      assertThat(currentSpans).containsExactly(process.getSpanId());
    } finally {
      subscription.dispose();
    }
  }

  @Test
  @DisplayName("a handler's work, a Mono.fromRunnable body or a blocking call, runs inside its process span")
  void aHandlersWorkRunsInsideItsSpan() {
    EventBus publisher = started(tracing.registry());
    EventBus receiver = receiver(publisher);
    Queue<String> currentSpans = new ConcurrentLinkedQueue<>();
    receiver.subscribe("trace.#", SubscribeOptions.defaults().async(true),
        event -> Mono.fromRunnable(() -> currentSpans.add(String.valueOf(tracing.tracer().currentSpan() == null
            ? null : tracing.tracer().currentSpan().context().spanId())))).block(WAIT);

    publishInRequest(publisher, Event.of("trace.placed", "one"));

    await().atMost(WAIT).until(() -> tracing.spans("process trace.#").size() == 1);
    assertThat(currentSpans).containsExactly(only("process trace.#").getSpanId());
  }

  @Test
  @DisplayName("the dead letter of a failed delivery is published under the attempt that failed last")
  void aDeadLetterIsUnderTheFailedAttempt() {
    EventBus publisher = started(tracing.registry());
    EventBus receiver = receiver(publisher);
    receiver.subscribe("trace.placed", SubscribeOptions.defaults().async(true).deadLetter("trace.failed"),
        event -> Mono.error(new IllegalStateException("poison"))).block(WAIT);
    Queue<Event<Object>> letters = new ConcurrentLinkedQueue<>();
    receiver.subscribe("trace.failed", event -> Mono.fromRunnable(() -> letters.add(event))).block(WAIT);

    publishInRequest(publisher, Event.of("trace.placed", "one"));

    await().atMost(WAIT).until(() -> letters.size() == 1 && tracing.spans("process trace.failed").size() == 1);
    SpanData failed = only("process trace.placed");
    assertThat(failed.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    SpanData letter = tracing.spans("publish").stream()
        .filter(span -> "trace.failed".equals(span.getAttributes().get(DESTINATION))).findFirst().orElseThrow();
    assertChildOf(letter, failed);
    assertChildOf(only("process trace.failed"), letter);
  }

  @Test
  @DisplayName("a publish a Flux subscriber makes in onNext (flatMap) is under that event's process span")
  void aFluxSubscribersPublishIsUnderItsEvent() {
    EventBus publisher = started(tracing.registry());
    EventBus receiver = receiver(publisher);
    receiver.subscribe("trace.next", SubscribeOptions.defaults().async(true), event -> Mono.empty()).block(WAIT);
    reactor.core.Disposable pipeline = receiver.subscribe("trace.placed", Object.class,
            SubscribeOptions.defaults().async(true))
        .flatMap(event -> receiver.publish(Event.builder("trace.next", "next").causedBy(event).build()))
        .subscribe();
    try {
      await().atMost(WAIT).until(() -> receiver.subscriberCount("trace.placed") > 0);

      publishInRequest(publisher, Event.of("trace.placed", "one"));

      await().atMost(WAIT).until(() -> tracing.spans("process trace.next").size() == 1);
      SpanData next = tracing.spans("publish").stream()
          .filter(span -> "trace.next".equals(span.getAttributes().get(DESTINATION))).findFirst().orElseThrow();
      assertChildOf(next, only("process trace.placed"));
      assertChildOf(only("process trace.next"), next);
    } finally {
      pipeline.dispose();
    }
  }

  @Test
  @DisplayName("an event that already carries a trace, published with no observation around, keeps it")
  void anIncomingTraceIsKept() {
    EventBus publisher = started(tracing.registry());
    EventBus receiver = receiver(publisher);
    receiver.subscribe("trace.#", SubscribeOptions.defaults().async(true), event -> Mono.empty()).block(WAIT);
    String upstreamTrace = "0af7651916cd43dd8448eb211c80319c";
    String upstreamSpan = "b7ad6b7169203331";

    publisher.publish(Event.builder("trace.placed", "one")
        .header("traceparent", "00-" + upstreamTrace + "-" + upstreamSpan + "-01").build()).block(WAIT);

    await().atMost(WAIT).until(() -> tracing.spans("process trace.#").size() == 1);
    SpanData process = only("process trace.#");
    assertThat(process.getTraceId()).isEqualTo(upstreamTrace);
    assertThat(process.getParentSpanId()).isEqualTo(upstreamSpan);
  }

  @Test
  @DisplayName("a bus built without a registry writes no traceparent and opens no span")
  void withoutARegistryNothingIsTraced() {
    EventBus publisher = started(null);
    EventBus receiver = busesShareEvents() ? started(null) : publisher;
    Queue<Event<Object>> received = new ConcurrentLinkedQueue<>();
    receiver.subscribe("trace.#", SubscribeOptions.defaults().async(true),
        event -> Mono.fromRunnable(() -> received.add(event))).block(WAIT);

    publishInRequest(publisher, Event.of("trace.placed", "one"));

    await().atMost(WAIT).until(() -> received.size() == 1);
    assertThat(received.peek().headers()).doesNotContainKey("traceparent");
    assertThat(names()).containsExactly("request");
  }
}
