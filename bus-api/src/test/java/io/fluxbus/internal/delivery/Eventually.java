package io.fluxbus.internal.delivery;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * A bounded wait for the stress tests of this package, for a state that settles a moment after the signal a test
 * can wait on (a worker counts a batch as delivered just after handing it over): checks again, yielding the CPU in
 * between, until the condition holds or the bound runs out. Never sleeps.
 */
final class Eventually {

  private Eventually() {
  }

  /** True as soon as {@code condition} holds; false when it still does not after {@code bound}. */
  static boolean holds(BooleanSupplier condition, Duration bound) {
    long deadline = System.nanoTime() + bound.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        return false;
      }
      Thread.yield();
    }
    return true;
  }
}
