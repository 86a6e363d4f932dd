package io.fluxbus.bench;

import io.fluxbus.EventBus;
import java.time.Duration;

/** Waits that keep a benchmark from measuring before the bus is ready. */
final class Readiness {

  private Readiness() {
  }

  /**
   * Waits until {@code topic} has {@code expected} subscribers, so that measurement never starts while a
   * subscription is still being registered.
   *
   * @throws IllegalStateException if that does not happen within {@code timeout}
   */
  static void awaitSubscribers(EventBus bus, String topic, int expected, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (bus.subscriberCount(topic) != expected) {
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException("topic '" + topic + "' has " + bus.subscriberCount(topic)
            + " subscribers after " + timeout + ", expected " + expected);
      }
      Thread.onSpinWait();
    }
  }
}
