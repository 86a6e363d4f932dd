package io.fluxbus.internal.delivery;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A bounded multi-producer, single-consumer ring (Vyukov's per-slot sequence design). Producers claim a slot with
 * one CAS on the tail; the consumer needs no CAS. No allocation per element; {@link #poll()} clears the slot.
 *
 * <p>The tail sits on a cache line of its own, away from the consumer's head (docs/architecture.md, "Publish
 * cost"). Any capacity works (not only powers of two). {@link #offer} fails only when the ring is full.
 */
final class MpscRing<E> {

  private final int capacity;
  /** capacity - 1 when it is a power of two (an index is a mask, not a division), else -1. */
  private final int mask;
  private final AtomicReferenceArray<E> slots;
  private final AtomicLongArray sequences;
  /** Producers' line: claimed positions. */
  private final PaddedCounter tail = new PaddedCounter();
  private long head;

  MpscRing(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be 1 or more, got " + capacity);
    }
    this.capacity = capacity;
    this.mask = Integer.bitCount(capacity) == 1 ? capacity - 1 : -1;
    this.slots = new AtomicReferenceArray<>(capacity);
    this.sequences = new AtomicLongArray(capacity);
    for (int i = 0; i < capacity; i++) {
      sequences.lazySet(i, i);
    }
  }

  /** Adds an element; false when the ring is full. Any thread. */
  boolean offer(E element) {
    while (true) {
      long position = tail.get();
      int index = index(position);
      long difference = sequences.get(index) - position;
      if (difference == 0) {
        if (tail.compareAndSet(position, position + 1)) {
          slots.lazySet(index, element);
          // release store: the consumer's acquire read of the sequence sees the element
          sequences.lazySet(index, position + 1);
          return true;
        }
      } else if (difference < 0) {
        return false;
      }
      // another producer took this position; read the tail again
    }
  }

  /** Takes the oldest element, or null when empty (or when a producer has claimed but not yet filled it). */
  E poll() {
    long position = head;
    int index = index(position);
    if (sequences.get(index) - (position + 1) < 0) {
      return null;
    }
    E element = slots.get(index);
    slots.lazySet(index, null);
    head = position + 1;
    // release store: a producer that reads this sequence sees the slot cleared
    sequences.lazySet(index, position + capacity);
    return element;
  }

  /**
   * True when no producer has claimed a slot past what the consumer took. Consumer only; a volatile read of the
   * tail, which the drain loop makes after it went idle, to catch an event whose producer saw it still busy.
   */
  boolean isEmpty() {
    return tail.get() == head;
  }

  private int index(long position) {
    return mask >= 0 ? (int) position & mask : (int) (position % capacity);
  }

  /** Elements in the ring, approximately (exact when producers are quiet). Any thread. */
  int size() {
    // head is written only by the consumer; a racy read only skews the approximate size
    long size = tail.get() - head;
    return (int) Math.max(0, Math.min(capacity, size));
  }
}
