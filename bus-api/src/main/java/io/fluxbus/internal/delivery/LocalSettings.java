package io.fluxbus.internal.delivery;

import io.fluxbus.DeliveryMode;
import io.fluxbus.spi.EngineSettings;
import io.micrometer.observation.ObservationRegistry;
import java.time.Duration;
import java.util.Objects;

/**
 * The settings of a {@link LocalEventBus}.
 *
 * @param engine the engine's name, the {@code engine} tag of metrics and lifecycle events
 * @param bufferSize default buffer of async subscriptions, 1 or more
 * @param workers threads that drain async subscriptions, 1 or more
 * @param deliveryMode default delivery mode for full buffers
 * @param publishBlockTimeout the longest a {@code block} publish waits before dropping; null for no limit
 * @param drainTimeout how long {@code stop()} lets buffers drain and handlers finish
 * @param source the CloudEvents source stamped on events published without one
 * @param type the engine's type ({@code memory}, {@code redis}, ...), the {@code messaging.system} of observations
 * @param observationRegistry where publishes and deliveries are observed; null for nowhere
 */
public record LocalSettings(String engine, int bufferSize, int workers, DeliveryMode deliveryMode,
                            Duration publishBlockTimeout, Duration drainTimeout, String source, String type,
                            ObservationRegistry observationRegistry) {

  /** Validates the settings. */
  public LocalSettings {
    Objects.requireNonNull(engine, "engine must not be null");
    Objects.requireNonNull(deliveryMode, "deliveryMode must not be null");
    Objects.requireNonNull(drainTimeout, "drainTimeout must not be null");
    Objects.requireNonNull(source, "source must not be null");
    Objects.requireNonNull(type, "type must not be null");
    if (bufferSize < 1) {
      throw new IllegalArgumentException("bufferSize must be 1 or more, got " + bufferSize);
    }
    if (workers < 1) {
      throw new IllegalArgumentException("workers must be 1 or more, got " + workers);
    }
    if (publishBlockTimeout != null && (publishBlockTimeout.isNegative() || publishBlockTimeout.isZero())) {
      throw new IllegalArgumentException("publishBlockTimeout must be positive, got " + publishBlockTimeout);
    }
    if (drainTimeout.isNegative()) {
      throw new IllegalArgumentException("drainTimeout must not be negative, got " + drainTimeout);
    }
  }

  /** The settings, saying whether they observe, not which registry. */
  @Override
  public String toString() {
    return "[engine=" + engine + ", type=" + type + ", bufferSize=" + bufferSize + ", workers=" + workers
        + ", deliveryMode=" + deliveryMode + ", publishBlockTimeout=" + publishBlockTimeout + ", drainTimeout="
        + drainTimeout + ", source=" + source + ", observed=" + (observationRegistry != null) + "]";
  }

  /** Buffer 256, one worker per core, drop, no block limit, drain 5 s, source {@code fluxbus}. */
  public static LocalSettings defaults(String engine) {
    return builder(engine).build();
  }

  /** Starts from the defaults; engines' builders wrap one of these for the knobs every engine shares. */
  public static Builder builder(String engine) {
    return new Builder(engine);
  }

  /**
   * Builds {@link LocalSettings}; the settings every engine's local delivery shares. Not thread-safe.
   */
  public static final class Builder {
    private String engine;
    private int bufferSize = 256;
    private int workers = Runtime.getRuntime().availableProcessors();
    private DeliveryMode deliveryMode = DeliveryMode.drop();
    private Duration publishBlockTimeout;
    private Duration drainTimeout = Duration.ofSeconds(5);
    private String source = "fluxbus";
    private final String type;
    private ObservationRegistry observationRegistry;

    private Builder(String engine) {
      this.engine = Objects.requireNonNull(engine, "engine must not be null");
      this.type = engine;
    }

    /** The engine's name: the {@code engine} tag of metrics and lifecycle events. */
    public Builder engine(String engine) {
      this.engine = Objects.requireNonNull(engine, "engine must not be null");
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

    /** The longest a {@code block} publish waits before dropping; no limit by default. */
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

    /** Where publishes and deliveries are observed (nowhere); a no-op registry is the same as none. */
    public Builder observationRegistry(ObservationRegistry observationRegistry) {
      this.observationRegistry = Objects.requireNonNull(observationRegistry, "observationRegistry must not be null");
      return this;
    }

    /**
     * Reads the shared keys from an engine's configuration: the engine name and source, {@code bufferSize},
     * {@code workers}, {@code deliveryMode} ({@code drop} | {@code block} | {@code timeout}),
     * {@code publishBlockTimeout} (the wait of {@code timeout}, the limit of {@code block}) and
     * {@code drainTimeout}; and the {@link EngineSettings#observationRegistry() observation registry} the reader
     * was given. The engine reads its own keys and then calls {@link EngineSettings#requireAllRead()}.
     *
     * @throws io.fluxbus.ConfigException for an invalid value, naming where it is
     */
    public Builder read(EngineSettings settings) {
      engine(settings.engineName());
      settings.source().ifPresent(this::source);
      settings.positiveInt("bufferSize").ifPresent(this::bufferSize);
      settings.positiveInt("workers").ifPresent(this::workers);
      java.util.Optional<Duration> blockTimeout = settings.duration("publishBlockTimeout");
      java.util.Optional<DeliveryMode> mode = settings.deliveryMode("deliveryMode", blockTimeout);
      mode.ifPresent(this::deliveryMode);
      if (mode.isEmpty() || mode.get() instanceof DeliveryMode.Block) {
        blockTimeout.ifPresent(this::publishBlockTimeout);
      }
      settings.duration("drainTimeout").ifPresent(this::drainTimeout);
      settings.observationRegistry().ifPresent(this::observationRegistry);
      return this;
    }

    /**
     * The settings.
     *
     * @throws IllegalArgumentException if a size is below 1 or a duration is not allowed
     */
    public LocalSettings build() {
      return new LocalSettings(engine, bufferSize, workers, deliveryMode, publishBlockTimeout, drainTimeout,
          source, type, observationRegistry);
    }
  }
}
