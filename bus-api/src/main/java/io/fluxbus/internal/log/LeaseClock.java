package io.fluxbus.internal.log;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntConsumer;

/**
 * What a group member can prove it holds, by its own clock: a lease granted by a call sent at time t lasts, on the
 * server, at least until t + lease (the server stamps it no earlier than it receives the call), so the member may
 * count on it until t + lease - margin. A member that was frozen (a long GC pause, a suspended process) past that
 * point must not start an event of the partition, even if it read it before the freeze: another member may own it
 * and may already have handled the key's later events. Engines ask {@link #holds} before each hand-out. The margin
 * covers clock-rate drift between client and server and the time from the check to the handler's start.
 * Thread-safe.
 */
public final class LeaseClock {

  private final long leaseNanos;
  private final long marginNanos;
  private final Map<Integer, Long> validUntil = new ConcurrentHashMap<>();
  private long newestCall = Long.MIN_VALUE;

  /**
   * @param lease how long a lease lasts on the server without renewal
   * @param margin how much earlier than the server the member stops counting on it
   */
  public LeaseClock(Duration lease, Duration margin) {
    if (margin.compareTo(lease) >= 0) {
      throw new IllegalArgumentException("margin " + margin + " must be shorter than the lease " + lease);
    }
    this.leaseNanos = lease.toNanos();
    this.marginNanos = margin.toNanos();
  }

  /** The default margin for {@code lease}: a fifth of it, at least 20 ms (and below the lease). */
  public static LeaseClock forLease(Duration lease) {
    Duration margin = lease.dividedBy(5);
    Duration floor = Duration.ofMillis(20);
    if (margin.compareTo(floor) < 0) {
      margin = floor.compareTo(lease) < 0 ? floor : lease.dividedBy(2);
    }
    return new LeaseClock(lease, margin);
  }

  /** The time to pass to {@link #granted}: read it just before sending the call that grants or renews leases. */
  public static long beforeCall() {
    return System.nanoTime();
  }

  /**
   * The server answered a call sent at {@code sentAt} with the partitions the member holds: those are good until
   * {@code sentAt + lease - margin}; every other partition is no longer held. An answer to a call older than one
   * already applied only takes partitions away: the member may have given them up since.
   */
  public synchronized void granted(Set<Integer> held, long sentAt) {
    validUntil.keySet().retainAll(held);
    if (newestCall != Long.MIN_VALUE && sentAt - newestCall < 0) {
      return;
    }
    newestCall = sentAt;
    long until = sentAt + leaseNanos - marginNanos;
    for (Integer partition : held) {
      validUntil.merge(partition, until, (a, b) -> a - b < 0 ? b : a);
    }
  }

  /** Forgets every lease, e.g. after the member left. */
  public synchronized void clear() {
    validUntil.clear();
  }

  /** Whether the member can prove, now, that it holds {@code partition}. */
  public boolean holds(int partition) {
    Long until = validUntil.get(partition);
    return until != null && System.nanoTime() - until < 0;
  }

  /**
   * The check for one batch in hand: once a partition's lease could not be proven, nothing more of that partition is
   * handed out from this batch, even if a renewal arrives meanwhile, so a key never goes on past an event that was
   * held back.
   *
   * @param lost told once per partition the batch holds back, e.g. to report it
   */
  public Batch batch(IntConsumer lost) {
    return new Batch(lost);
  }

  /** See {@link #batch}. Thread-safe: the batch's lanes ask from several threads. */
  public final class Batch {
    private final Set<Integer> heldBack = ConcurrentHashMap.newKeySet();
    private final IntConsumer lost;

    private Batch(IntConsumer lost) {
      this.lost = lost;
    }

    /** The partitions this batch held back so far. */
    public Set<Integer> heldBack() {
      return Set.copyOf(heldBack);
    }

    /** Whether an event of {@code partition} may be handed out now. */
    public boolean allows(int partition) {
      if (heldBack.contains(partition)) {
        return false;
      }
      if (holds(partition)) {
        return true;
      }
      if (heldBack.add(partition)) {
        lost.accept(partition);
      }
      return false;
    }
  }
}
