package io.fluxbus.test;

import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingReceiverTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingSenderTracingObservationHandler;
import io.micrometer.tracing.otel.bridge.OtelBaggageManager;
import io.micrometer.tracing.otel.bridge.OtelCurrentTraceContext;
import io.micrometer.tracing.otel.bridge.OtelPropagator;
import io.micrometer.tracing.otel.bridge.OtelTracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.List;

/**
 * A real tracer for tests: OpenTelemetry's SDK, W3C trace-context propagation, behind Micrometer Tracing's bridge,
 * exporting finished spans to memory. Give {@link #registry()} to a bus's builder
 * ({@code observationRegistry(...)}) and read what it traced with {@link #spans()}. Thread-safe; close it to shut
 * the tracer down.
 *
 * <pre>{@code
 * try (InMemoryTracing tracing = new InMemoryTracing()) {
 *   EventBus bus = MemoryEventBus.builder().observationRegistry(tracing.registry()).build();
 *   ...
 *   await().until(() -> tracing.spans().size() == 2);
 * }
 * }</pre>
 */
public final class InMemoryTracing implements AutoCloseable {

  private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
  private final SdkTracerProvider provider;
  private final OtelTracer tracer;
  private final ObservationRegistry registry = ObservationRegistry.create();

  /** A tracer with no spans yet, and a registry whose observations it traces. */
  public InMemoryTracing() {
    provider = SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build();
    io.opentelemetry.api.trace.Tracer otel = provider.get("io.fluxbus.test");
    OtelCurrentTraceContext current = new OtelCurrentTraceContext();
    tracer = new OtelTracer(otel, current, event -> { }, new OtelBaggageManager(current, List.of(), List.of()));
    OtelPropagator propagator = new OtelPropagator(
        ContextPropagators.create(W3CTraceContextPropagator.getInstance()), otel);
    registry.observationConfig().observationHandler(new ObservationHandler.FirstMatchingCompositeObservationHandler(
        new PropagatingSenderTracingObservationHandler<>(tracer, propagator),
        new PropagatingReceiverTracingObservationHandler<>(tracer, propagator),
        new DefaultTracingObservationHandler(tracer)));
  }

  /** The registry to observe in. */
  public ObservationRegistry registry() {
    return registry;
  }

  /** The tracer behind the registry, to open spans of a test's own (e.g. a request that publishes). */
  public io.micrometer.tracing.Tracer tracer() {
    return tracer;
  }

  /** The spans finished so far, in the order they finished. */
  public List<SpanData> spans() {
    return exporter.getFinishedSpanItems();
  }

  /** The finished spans named {@code name} ({@code publish}, {@code process orders.#}, ...). */
  public List<SpanData> spans(String name) {
    return spans().stream().filter(span -> span.getName().equals(name)).toList();
  }

  /** Forgets the spans finished so far. */
  public void reset() {
    exporter.reset();
  }

  @Override
  public void close() {
    provider.close();
  }
}
