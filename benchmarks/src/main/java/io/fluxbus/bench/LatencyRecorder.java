package io.fluxbus.bench;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * One-way hand-off latency, from just before the producer hands an event over to the moment the consumer
 * sees it, in nanoseconds.
 *
 * <p>The producer stamps each send by sequence number into a ring ({@link #stampSend}); the consumer, which
 * sees events in send order, reads its own sequence's stamp. The hand-off itself (queue, ring, buffer) orders
 * the stamp before the consumer's read, so no extra synchronization is needed, and the event stays a shared,
 * pre-built object. The first {@code warmup} events are not recorded.
 */
final class LatencyRecorder implements Receiver {

  private static final int RING = 1 << 16;
  private static final VarHandle RECEIVED;

  static {
    try {
      RECEIVED = MethodHandles.lookup().findVarHandle(LatencyRecorder.class, "received", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final long[] sentAt = new long[RING];
  private final long[] latencies;
  private final int warmup;
  /** Events seen by the consumer; written only by the consumer thread. */
  private long received;

  LatencyRecorder(int warmup, int measured) {
    this.warmup = warmup;
    this.latencies = new long[measured];
  }

  /** Producer side: records that event {@code sequence} is being sent now. */
  void stampSend(long sequence) {
    sentAt[(int) sequence & (RING - 1)] = System.nanoTime();
  }

  @Override
  public void received() {
    long now = System.nanoTime();
    long sequence = received;
    long recorded = sequence - warmup;
    if (recorded >= 0 && recorded < latencies.length) {
      latencies[(int) recorded] = now - sentAt[(int) sequence & (RING - 1)];
    }
    RECEIVED.setRelease(this, sequence + 1);
  }

  /** Events the consumer has seen so far. */
  long receivedCount() {
    return (long) RECEIVED.getAcquire(this);
  }

  /** How many sends may be outstanding before a stamp would be overwritten. */
  static int window() {
    return RING;
  }

  /** The recorded latencies, sorted ascending; call after the consumer has seen every event. */
  long[] sortedLatencies() {
    long[] sorted = latencies.clone();
    Arrays.sort(sorted);
    return sorted;
  }

  /** The {@code q}-quantile (0 &lt; q &le; 1) of sorted samples, by the nearest-rank method. */
  static long quantile(long[] sorted, double q) {
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }
}
