package io.fluxbus.memory;

import io.fluxbus.DeliveryMode;
import io.fluxbus.EventBus;
import io.fluxbus.BusMetrics;
import io.fluxbus.spi.ForwardingEventBus;
import io.fluxbus.spi.LocalEventBus;
import io.fluxbus.spi.LocalSettings;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Objects;

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
    private String name = TYPE;
    private int bufferSize = 256;
    private int workers = Runtime.getRuntime().availableProcessors();
    private DeliveryMode deliveryMode = DeliveryMode.drop();
    private Duration publishBlockTimeout;
    private Duration drainTimeout = Duration.ofSeconds(5);
    private String source = "fluxbus";
    private MeterRegistry meterRegistry;

    private Builder() {}

    /** The engine name for the {@code engine} metric tag and lifecycle events; {@code memory} by default. */
    public Builder name(String name) {
      this.name = Objects.requireNonNull(name, "name must not be null");
      return this;
    }

    /** Default buffer of async subscriptions (256). */
    public Builder bufferSize(int bufferSize) {
      this.bufferSize = bufferSize;
      return this;
    }

    /** Threads draining async subscriptions (one per core). */
    public Builder workers(int workers) {
      this.workers = workers;
      return this;
    }

    /** Default delivery mode when a buffer is full (drop). */
    public Builder deliveryMode(DeliveryMode deliveryMode) {
      this.deliveryMode = Objects.requireNonNull(deliveryMode, "deliveryMode must not be null");
      return this;
    }

    /**
     * The longest a publish waits in {@code block} mode before dropping (reason {@code timeout}); no limit by
     * default. {@code timeout(d)} modes use their own {@code d}.
     */
    public Builder publishBlockTimeout(Duration publishBlockTimeout) {
      this.publishBlockTimeout = publishBlockTimeout;
      return this;
    }

    /** How long {@code stop()} lets buffers drain and handlers finish (5 s). */
    public Builder drainTimeout(Duration drainTimeout) {
      this.drainTimeout = Objects.requireNonNull(drainTimeout, "drainTimeout must not be null");
      return this;
    }

    /** The CloudEvents source stamped on events published without one ({@code fluxbus}). */
    public Builder source(String source) {
      this.source = Objects.requireNonNull(source, "source must not be null");
      return this;
    }

    /** A registry to bind the bus's meters to at build time. */
    public Builder meterRegistry(MeterRegistry meterRegistry) {
      this.meterRegistry = meterRegistry;
      return this;
    }

    /**
     * Creates the bus, not yet started.
     *
     * @throws IllegalArgumentException if a size is below 1 or a duration is negative
     */
    public MemoryEventBus build() {
      MemoryEventBus bus = new MemoryEventBus(new LocalSettings(name, bufferSize, workers, deliveryMode,
          publishBlockTimeout, drainTimeout, source));
      if (meterRegistry != null) {
        BusMetrics.bind(bus, meterRegistry);
      }
      return bus;
    }
  }
}
