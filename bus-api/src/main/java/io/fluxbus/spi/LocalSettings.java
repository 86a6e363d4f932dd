package io.fluxbus.spi;

import io.fluxbus.DeliveryMode;
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
 */
public record LocalSettings(String engine, int bufferSize, int workers, DeliveryMode deliveryMode,
                            Duration publishBlockTimeout, Duration drainTimeout, String source) {

  /** Validates the settings. */
  public LocalSettings {
    Objects.requireNonNull(engine, "engine must not be null");
    Objects.requireNonNull(deliveryMode, "deliveryMode must not be null");
    Objects.requireNonNull(drainTimeout, "drainTimeout must not be null");
    Objects.requireNonNull(source, "source must not be null");
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

  /** Buffer 256, one worker per core, drop, no block limit, drain 5 s, source {@code fluxbus}. */
  public static LocalSettings defaults(String engine) {
    return new LocalSettings(engine, 256, Runtime.getRuntime().availableProcessors(), DeliveryMode.drop(), null,
        Duration.ofSeconds(5), "fluxbus");
  }
}
