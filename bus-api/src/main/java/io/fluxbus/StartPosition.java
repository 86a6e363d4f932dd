package io.fluxbus;

import java.time.Instant;
import java.util.Objects;

/**
 * Where a new subscription starts reading. In-process engines only have {@link #latest()} (events published
 * from now on); durable engines also replay from the start of their log or from a time.
 */
public sealed interface StartPosition permits StartPosition.Latest, StartPosition.Earliest, StartPosition.At {

  /** Events published after the subscription is active. The default. */
  static StartPosition latest() {
    return Latest.INSTANCE;
  }

  /** Every retained event, then new ones. */
  static StartPosition earliest() {
    return Earliest.INSTANCE;
  }

  /** Retained events from {@code time} on, then new ones. */
  static StartPosition at(Instant time) {
    return new At(time);
  }

  /** From now on. */
  enum Latest implements StartPosition {
    /** The only instance. */
    INSTANCE
  }

  /** From the oldest retained event. */
  enum Earliest implements StartPosition {
    /** The only instance. */
    INSTANCE
  }

  /**
   * From a point in time.
   *
   * @param time the earliest event time to read
   */
  record At(Instant time) implements StartPosition {
    /** Requires a time. */
    public At {
      Objects.requireNonNull(time, "time must not be null");
    }
  }
}
