package io.fluxbus.kafka;

import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;

/**
 * Which positions of one ordered log (a Kafka partition) are settled, as items are handed out in position order and
 * settle in any order: {@link #committable()} is the position just past the longest settled prefix, where a reader
 * resuming after this one must start so that it misses nothing. Positions need not be contiguous (a log may skip
 * some); only tracked positions count. Thread-safe.
 */
final class SettledPrefix {

  private final ArrayDeque<Long> pending = new ArrayDeque<>();
  private final Set<Long> settledAhead = new HashSet<>();
  private long next;
  private long lastTracked = -1;

  /** @param start the position a reader would start at before anything is tracked */
  SettledPrefix(long start) {
    this.next = start;
  }

  /**
   * Tracks {@code position}, handed out now; positions must grow.
   *
   * @throws IllegalArgumentException if {@code position} is not past the last one tracked
   */
  synchronized void track(long position) {
    if (position <= lastTracked) {
      throw new IllegalArgumentException("position " + position + " is not past " + lastTracked);
    }
    lastTracked = position;
    if (pending.isEmpty() && position >= next) {
      // nothing in hand: the prefix reaches the new position (positions skipped by the log count as passed)
      next = position;
    }
    pending.add(position);
  }

  /** Marks a tracked position settled. */
  synchronized void settled(long position) {
    if (!pending.isEmpty() && pending.peekFirst() == position) {
      pending.pollFirst();
      while (!pending.isEmpty() && settledAhead.remove(pending.peekFirst())) {
        pending.pollFirst();
      }
      next = pending.isEmpty() ? lastTracked + 1 : pending.peekFirst();
    } else if (pending.contains(position)) {
      settledAhead.add(position);
    }
  }

  /** The position past the longest settled prefix: everything tracked below it is settled. */
  synchronized long committable() {
    return next;
  }

  /** Tracked positions not settled yet. */
  synchronized int inHand() {
    return pending.size();
  }
}
