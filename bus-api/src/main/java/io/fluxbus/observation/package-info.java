/**
 * Micrometer Observation of publishes and deliveries: the observations' names and keys
 * ({@link io.fluxbus.observation.FluxbusObservation}) and the contexts handlers and filters see
 * ({@link io.fluxbus.observation.PublishContext}, {@link io.fluxbus.observation.ProcessContext}). Given an
 * {@code ObservationRegistry} (every engine's builder, or the router's readers), a bus writes the trace context
 * into each event as the CloudEvents Distributed Tracing extension ({@code traceparent}, {@code tracestate}) and
 * runs each delivery inside a child observation; without one it observes nothing and allocates nothing for it.
 * See docs/architecture.md, "Tracing".
 */
package io.fluxbus.observation;
