package io.fluxbus.test;

import io.fluxbus.DeliveryMode;
import java.time.Duration;
import java.util.Objects;

/**
 * What {@link EventBusContract} asks of a bus it creates: an engine's test maps these onto its own builder.
 * Immutable; every {@code with…} method returns a copy.
 *
 * @param bufferSize the capacity of each async subscription's buffer, 1 or more
 * @param deliveryMode what publish does when a subscription's buffer is full
 * @param drainTimeout how long {@code stop()} lets buffered events drain, positive
 * @param source the CloudEvents source the bus stamps on events published without one
 */
public record ContractSettings(int bufferSize, DeliveryMode deliveryMode, Duration drainTimeout, String source) {

  /**
   * Validates the settings.
   *
   * @throws IllegalArgumentException if the buffer size is below 1 or the drain timeout not positive
   * @throws NullPointerException if a reference is null
   */
  public ContractSettings {
    Objects.requireNonNull(deliveryMode, "deliveryMode must not be null");
    Objects.requireNonNull(drainTimeout, "drainTimeout must not be null");
    Objects.requireNonNull(source, "source must not be null");
    if (bufferSize < 1) {
      throw new IllegalArgumentException("bufferSize must be 1 or more, got " + bufferSize);
    }
    if (drainTimeout.isNegative() || drainTimeout.isZero()) {
      throw new IllegalArgumentException("drainTimeout must be positive, got " + drainTimeout);
    }
  }

  /** Buffer size 256, {@link DeliveryMode#drop()}, a 5 s drain timeout and source {@code contract-test}. */
  public static ContractSettings defaults() {
    return new ContractSettings(256, DeliveryMode.drop(), Duration.ofSeconds(5), "contract-test");
  }

  /** A copy with another async buffer size. */
  public ContractSettings withBufferSize(int bufferSize) {
    return new ContractSettings(bufferSize, deliveryMode, drainTimeout, source);
  }

  /** A copy with another delivery mode. */
  public ContractSettings withDeliveryMode(DeliveryMode deliveryMode) {
    return new ContractSettings(bufferSize, deliveryMode, drainTimeout, source);
  }

  /** A copy with another drain timeout. */
  public ContractSettings withDrainTimeout(Duration drainTimeout) {
    return new ContractSettings(bufferSize, deliveryMode, drainTimeout, source);
  }

  /** A copy with another source. */
  public ContractSettings withSource(String source) {
    return new ContractSettings(bufferSize, deliveryMode, drainTimeout, source);
  }
}
