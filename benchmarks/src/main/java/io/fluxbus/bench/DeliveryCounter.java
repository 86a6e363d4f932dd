package io.fluxbus.bench;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;

/**
 * Counts events that reached a consumer, written by one consumer thread and read by the producers.
 *
 * <p>The single writer publishes each new count with a release store, which is a plain store on x86, so
 * counting costs the consumer about as little as a plain {@code count++} while producers waiting for the
 * end of a batch still see it.
 */
final class DeliveryCounter implements Receiver {

  private static final VarHandle COUNT;

  static {
    try {
      COUNT = MethodHandles.lookup().findVarHandle(DeliveryCounter.class, "count", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** Events received so far; written only by the consumer thread. */
  private long count;

  @Override
  public void received() {
    COUNT.setRelease(this, count + 1);
  }

  /** The number of events received so far, as seen from any thread. */
  long count() {
    return (long) COUNT.getAcquire(this);
  }

  /**
   * Waits, yielding the CPU, until at least {@code target} events were received.
   *
   * <p>Yielding rather than parking keeps the wait short without burning the second core the consumer
   * needs on a 2-vCPU machine. Every implementation under test is waited for the same way.
   *
   * @throws IllegalStateException if the count does not reach {@code target} within {@code timeout}, which
   *     means events were lost (dropped or never delivered) and the measurement would be meaningless
   */
  void awaitAtLeast(long target, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    int spins = 0;
    while (count() < target) {
      Thread.yield();
      if ((++spins & 0x3ff) == 0 && System.nanoTime() - deadline > 0) {
        throw new IllegalStateException("consumer received " + count() + " events, expected at least " + target
            + " within " + timeout + ": events were lost or the consumer stalled");
      }
    }
  }
}
