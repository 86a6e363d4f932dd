package io.fluxbus.memory;

import io.fluxbus.Event;
import io.fluxbus.EventBus;
import io.fluxbus.PublishResult;
import io.fluxbus.internal.delivery.LocalEventBus;
import io.fluxbus.internal.delivery.LocalSettings;
import io.fluxbus.internal.observation.Observations;
import io.fluxbus.spi.EngineBuilder;
import io.fluxbus.spi.EngineSettings;
import io.fluxbus.spi.ForwardingEventBus;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Objects;
import reactor.core.publisher.Mono;

/**
 * The in-process engine, the embedded default: at-most-once, zero-copy (subscribers get the very event object
 * that was published), no I/O. Sync subscriptions run on the publishing thread; async ones drain bounded
 * per-subscription buffers on {@code workers} threads. Must be {@link #start() started} before publishing;
 * subscriptions may be made at any time.
 *
 * <pre>{@code
 * EventBus bus = MemoryEventBus.builder().bufferSize(1024).workers(4)
 *     .deliveryMode(DeliveryMode.block()).publishBlockTimeout(Duration.ofMillis(250))
 *     .source("orders-service").build();
 * }</pre>
 *
 * Thread-safe. See {@link EventBus} for the contract.
 */
public final class MemoryEventBus extends ForwardingEventBus {

  /** The engine type name used in configuration. */
  public static final String TYPE = "memory";

  private final LocalEventBus local;

  private MemoryEventBus(LocalSettings settings) {
    this.local = new LocalEventBus(settings);
    // dead letters go through this facade, observed like any publish (a router in front replaces it)
    this.local.publishDerivedEventsThrough(this);
  }

  /** A bus with the defaults: buffer 256, one worker per core, drop, drain timeout 5 s. */
  public static MemoryEventBus create() {
    return builder().build();
  }

  /** Starts configuring a bus. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  protected EventBus delegate() {
    return local;
  }

  /**
   * Publishes as {@link EventBus#publish(Event)} says; inside a {@code fluxbus.publish} observation when the bus was
   * built with an {@link EngineBuilder#observationRegistry observation registry}.
   */
  @Override
  public Mono<PublishResult> publish(Event<?> event) {
    Objects.requireNonNull(event, "event must not be null");
    Observations observations = local.observations();
    return observations == null ? local.publish(event) : observations.publish(event, local::publish);
  }

  /** Publishes {@code Event.of(topic, payload)}; see {@link #publish(Event)}. */
  @Override
  public Mono<PublishResult> publish(String topic, Object payload) {
    return publish(Event.of(topic, payload));
  }

  /**
   * Publishes now on the calling thread, allocation-free on the fast path; see {@link EventBus#tryPublish(Event)}
   * for what it returns and when. A bus built with an observation registry observes this publish like any other,
   * through {@link #publish(Event)} subscribed on this thread (not allocation-free, then).
   */
  @Override
  public PublishResult tryPublish(Event<?> event) {
    return local.observations() == null ? local.tryPublish(event) : super.tryPublish(event);
  }

  @Override
  public void bindMetrics(MeterRegistry registry) {
    local.bindMetrics(registry);
  }

  @Override
  public String toString() {
    return "MemoryEventBus" + local.settings();
  }

  /** Configures a {@link MemoryEventBus}. Not thread-safe; each {@link #build()} makes a new bus. */
  public static final class Builder extends EngineBuilder<Builder> {

    private Builder() {
      super(TYPE);
    }

    @Override
    protected Builder self() {
      return this;
    }

    /** Reads an engine configuration's keys (see {@link MemoryEngineProvider}). */
    Builder read(EngineSettings engineSettings) {
      return readLocal(engineSettings);
    }

    /**
     * Creates the bus, not yet started.
     *
     * @throws IllegalArgumentException if a size is below 1 or a duration is negative
     */
    public MemoryEventBus build() {
      return withMetrics(new MemoryEventBus(localSettings()));
    }
  }
}
