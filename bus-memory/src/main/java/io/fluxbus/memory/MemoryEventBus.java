package io.fluxbus.memory;

import io.fluxbus.DeliveryMode;
import io.fluxbus.EventBus;
import io.fluxbus.BusMetrics;
import io.fluxbus.spi.EngineSettings;
import io.fluxbus.spi.ForwardingEventBus;
import io.fluxbus.spi.LocalEventBus;
import io.fluxbus.spi.LocalSettings;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;

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

  @Override
  public void bindMetrics(MeterRegistry registry) {
    local.bindMetrics(registry);
  }

  @Override
  public String toString() {
    return "MemoryEventBus" + local.settings();
  }

  /** Configures a {@link MemoryEventBus}. Not thread-safe; each {@link #build()} makes a new bus. */
  public static final class Builder {
    private final LocalSettings.Builder settings = LocalSettings.builder(TYPE);
    private MeterRegistry meterRegistry;

    private Builder() {}

    /** The engine name for the {@code engine} metric tag and lifecycle events; {@code memory} by default. */
    public Builder name(String name) {
      settings.engine(name);
      return this;
    }

    /** Default buffer of async subscriptions (256). */
    public Builder bufferSize(int bufferSize) {
      settings.bufferSize(bufferSize);
      return this;
    }

    /** Threads draining async subscriptions (one per core). */
    public Builder workers(int workers) {
      settings.workers(workers);
      return this;
    }

    /** Default delivery mode when a buffer is full (drop). */
    public Builder deliveryMode(DeliveryMode deliveryMode) {
      settings.deliveryMode(deliveryMode);
      return this;
    }

    /**
     * The longest a publish waits in {@code block} mode before dropping (reason {@code timeout}); no limit by
     * default. {@code timeout(d)} modes use their own {@code d}.
     */
    public Builder publishBlockTimeout(Duration publishBlockTimeout) {
      settings.publishBlockTimeout(publishBlockTimeout);
      return this;
    }

    /** How long {@code stop()} lets buffers drain and handlers finish (5 s). */
    public Builder drainTimeout(Duration drainTimeout) {
      settings.drainTimeout(drainTimeout);
      return this;
    }

    /** The CloudEvents source stamped on events published without one ({@code fluxbus}). */
    public Builder source(String source) {
      settings.source(source);
      return this;
    }

    /** A registry to bind the bus's meters to at build time. */
    public Builder meterRegistry(MeterRegistry meterRegistry) {
      this.meterRegistry = meterRegistry;
      return this;
    }

    /** Reads an engine configuration's keys (see {@link MemoryEngineProvider}). */
    Builder read(EngineSettings engineSettings) {
      settings.read(engineSettings);
      return this;
    }

    /**
     * Creates the bus, not yet started.
     *
     * @throws IllegalArgumentException if a size is below 1 or a duration is negative
     */
    public MemoryEventBus build() {
      MemoryEventBus bus = new MemoryEventBus(settings.build());
      if (meterRegistry != null) {
        BusMetrics.bind(bus, meterRegistry);
      }
      return bus;
    }
  }
}
