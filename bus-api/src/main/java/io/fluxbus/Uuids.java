package io.fluxbus;

import java.security.SecureRandom;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Time-ordered UUIDs, version 7 (RFC 9562): 48 bits of Unix milliseconds, then a 12-bit counter that keeps ids
 * made in the same millisecond in order (the "monotonic random" method), then 62 random bits.
 */
final class Uuids {

  private static final AtomicLong LAST = new AtomicLong();
  private static final long SEED = new SecureRandom().nextLong();

  private Uuids() {}

  static UUID v7() {
    long stamp = nextStamp();
    long millis = stamp >>> 12;
    long counter = stamp & 0xFFF;
    long msb = (millis << 16) | 0x7000L | counter;
    long lsb = (ThreadLocalRandom.current().nextLong() ^ SEED) & 0x3FFFFFFFFFFFFFFFL | 0x8000000000000000L;
    return new UUID(msb, lsb);
  }

  /** Milliseconds shifted left by 12, plus a counter; strictly increasing across threads. */
  private static long nextStamp() {
    long now = System.currentTimeMillis() << 12;
    while (true) {
      long last = LAST.get();
      long next = Math.max(now, last + 1);
      if (LAST.compareAndSet(last, next)) {
        return next;
      }
    }
  }
}
