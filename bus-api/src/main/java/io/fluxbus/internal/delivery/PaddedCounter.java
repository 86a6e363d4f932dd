package io.fluxbus.internal.delivery;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A {@code long} alone on its cache line (64 bytes of padding each side, through the class hierarchy, which the
 * JVM keeps in order), plus one plain {@code long} for the same writers ({@link #cached}). For counters that one
 * side of a hand-off writes on every event and the other reads only now and then (docs/architecture.md, "Publish
 * cost"), so a write by one core does not evict the line another core is working on.
 */
final class PaddedCounter extends PaddedCounterFields {

  private static final VarHandle VALUE;

  static {
    try {
      VALUE = MethodHandles.lookup().findVarHandle(PaddedCounterFields.class, "value", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  long p10;
  long p11;
  long p12;
  long p13;
  long p14;
  long p15;
  long p16;
  long p17;

  long get() {
    return value;
  }

  /** A release store: for a counter with one writer. */
  void setRelease(long v) {
    VALUE.setRelease(this, v);
  }

  boolean compareAndSet(long expected, long v) {
    return VALUE.compareAndSet(this, expected, v);
  }

  long getAndAdd(long delta) {
    return (long) VALUE.getAndAdd(this, delta);
  }
}

/** The padding before the value. */
abstract class PaddedCounterPad {
  long p00;
  long p01;
  long p02;
  long p03;
  long p04;
  long p05;
  long p06;
  long p07;
}

/** The value, and a plain field its writers may keep next to it. */
abstract class PaddedCounterFields extends PaddedCounterPad {
  volatile long value;
  /** Free for the writers' own use (e.g. a cached limit); plain. */
  long cached;
}
