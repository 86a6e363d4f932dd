package io.fluxbus.spi;

import io.fluxbus.BusMetrics;
import io.fluxbus.DeliveryMode;
import io.fluxbus.EventBus;
import io.fluxbus.internal.delivery.LocalSettings;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import java.time.Duration;
import java.util.Objects;

/**
 * The part of every engine's builder that configures its in-process delivery ({@link LocalSettings}) and its
 * metrics: the same knobs, with the same defaults and meaning, on every engine. An engine's builder extends it with
 * its own settings. Not thread-safe; used on one thread while a bus is built.
 *
 * @param <B> the engine's builder, returned by every method for chaining
 */
public abstract class EngineBuilder<B extends EngineBuilder<B>> {

  private final LocalSettings.Builder local;
  private MeterRegistry meterRegistry;

  /** Starts with the defaults of {@link LocalSettings#defaults}, the engine named {@code type}. */
  protected EngineBuilder(String type) {
    this.local = LocalSettings.builder(type);
  }

  /** This builder, as the engine's own type. */
  protected abstract B self();

  /** The engine name for the {@code engine} metric tag and lifecycle events; the engine's type by default. */
  public B name(String name) {
    local.engine(name);
    return self();
  }

  /** Default buffer of async subscriptions (256). */
  public B bufferSize(int bufferSize) {
    local.bufferSize(bufferSize);
    return self();
  }

  /** Threads running async subscriptions (and durable group members) (one per core). */
  public B workers(int workers) {
    local.workers(workers);
    return self();
  }

  /** Default delivery mode when a buffer is full (drop). */
  public B deliveryMode(DeliveryMode deliveryMode) {
    local.deliveryMode(deliveryMode);
    return self();
  }

  /**
   * The longest a publish waits in {@code block} mode before dropping (reason {@code timeout}); no limit by default.
   * {@code timeout(d)} modes use their own {@code d}.
   */
  public B publishBlockTimeout(Duration publishBlockTimeout) {
    local.publishBlockTimeout(publishBlockTimeout);
    return self();
  }

  /** How long {@code stop()} lets buffers drain and handlers finish (5 s). */
  public B drainTimeout(Duration drainTimeout) {
    local.drainTimeout(drainTimeout);
    return self();
  }

  /** The CloudEvents source stamped on events published without one ({@code fluxbus}). */
  public B source(String source) {
    local.source(source);
    return self();
  }

  /** A registry to bind the bus's meters to at build time. */
  public B meterRegistry(MeterRegistry meterRegistry) {
    this.meterRegistry = Objects.requireNonNull(meterRegistry, "meterRegistry must not be null");
    return self();
  }

  /**
   * A registry to observe publishes ({@code fluxbus.publish}) and deliveries ({@code fluxbus.process}) in, and
   * through which the trace context crosses processes in each event's {@code traceparent}; see
   * {@link io.fluxbus.observation.FluxbusObservation}. Without one (or with a no-op one) nothing is observed, at no
   * cost per event.
   */
  public B observationRegistry(ObservationRegistry observationRegistry) {
    local.observationRegistry(observationRegistry);
    return self();
  }

  /**
   * Reads the keys every engine's local delivery shares from a configuration (see
   * {@link LocalSettings.Builder#read}); the engine reads its own keys and then calls
   * {@link EngineSettings#requireAllRead()}.
   */
  public B readLocal(EngineSettings settings) {
    local.read(settings);
    return self();
  }

  /**
   * The in-process delivery settings configured so far.
   *
   * @throws IllegalArgumentException if a size is below 1 or a duration is not allowed
   */
  protected LocalSettings localSettings() {
    return local.build();
  }

  /** Binds the bus's meters to the registry given, if any; returns the bus. */
  protected <E extends EventBus> E withMetrics(E bus) {
    if (meterRegistry != null) {
      BusMetrics.bind(bus, meterRegistry);
    }
    return bus;
  }
}
