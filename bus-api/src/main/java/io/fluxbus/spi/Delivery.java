package io.fluxbus.spi;

import io.fluxbus.Event;
import io.fluxbus.internal.DeadLetters;
import java.util.Objects;
import java.util.Optional;

/**
 * What became of one event an engine handed to a {@link LogConsumer}; the engine settles the event in its log
 * accordingly. Immutable.
 */
public sealed interface Delivery permits Delivery.Handled, Delivery.Failed, Delivery.Returned {

  /** A member handled the event: acknowledge it. */
  enum Handled implements Delivery {
    /** The only instance. */
    INSTANCE;

    @Override
    public String toString() {
      return "Handled";
    }
  }

  /**
   * No member took the event (the consumer closed: its last member left, or the bus stops). Leave it
   * unacknowledged, so that it is delivered again.
   */
  enum Returned implements Delivery {
    /** The only instance. */
    INSTANCE;

    @Override
    public String toString() {
      return "Returned";
    }
  }

  /**
   * A member failed the event on its last attempt; it has been counted as failed and reported. Acknowledge it,
   * appending the dead letter (when there is one) in the same atomic step, so that the event is neither lost nor
   * dead-lettered twice.
   *
   * @param error what failed: the exception's class and message
   * @param attempts how often the handler was tried
   * @param letter the dead letter to append (see {@link DeadLetters}), or null when no dead-letter topic applies
   */
  record Failed(String error, int attempts, Event<Object> letter) implements Delivery {

    /** Requires an error description. */
    public Failed {
      Objects.requireNonNull(error, "error must not be null");
    }

    /** The dead letter, if the subscription has a dead-letter topic. */
    public Optional<Event<Object>> deadLetter() {
      return Optional.ofNullable(letter);
    }
  }
}
