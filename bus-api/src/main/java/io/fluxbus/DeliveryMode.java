package io.fluxbus;

import java.time.Duration;
import java.util.Objects;

/**
 * What {@code publish} does when a subscription's buffer is full (for a sync {@code Flux} subscription: when it
 * has no outstanding demand). Chosen per bus and overridable per subscription.
 *
 * <p>No mode ever blocks or spins a thread: {@link #block()} and {@link #timeout(Duration)} make the publish
 * {@code Mono} wait, which is safe on an event loop or a virtual thread.
 */
public sealed interface DeliveryMode permits DeliveryMode.Drop, DeliveryMode.Block, DeliveryMode.Timeout {

  /** The event is dropped for that subscription and counted; publish never waits. The default. */
  static DeliveryMode drop() {
    return Drop.INSTANCE;
  }

  /** The publish {@code Mono} waits, without holding a thread, until the subscription has room. */
  static DeliveryMode block() {
    return Block.INSTANCE;
  }

  /**
   * The publish {@code Mono} waits up to {@code maxWait} for room, then drops the event for that subscription
   * (reason {@code timeout}).
   *
   * @throws IllegalArgumentException if maxWait is negative or zero
   */
  static DeliveryMode timeout(Duration maxWait) {
    return new Timeout(maxWait);
  }

  /** Drops at once when full. */
  enum Drop implements DeliveryMode {
    /** The only instance. */
    INSTANCE;

    @Override
    public String toString() {
      return "drop";
    }
  }

  /** Waits for room without a deadline. */
  enum Block implements DeliveryMode {
    /** The only instance. */
    INSTANCE;

    @Override
    public String toString() {
      return "block";
    }
  }

  /**
   * Waits for room up to a deadline.
   *
   * @param maxWait how long a publish may wait for this subscription, positive
   */
  record Timeout(Duration maxWait) implements DeliveryMode {

    /** Validates the wait. */
    public Timeout {
      Objects.requireNonNull(maxWait, "maxWait must not be null");
      if (maxWait.isNegative() || maxWait.isZero()) {
        throw new IllegalArgumentException("timeout delivery mode needs a positive wait, got " + maxWait);
      }
    }

    @Override
    public String toString() {
      return "timeout(" + maxWait + ")";
    }
  }
}
