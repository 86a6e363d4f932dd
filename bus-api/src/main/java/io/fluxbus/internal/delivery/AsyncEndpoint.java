package io.fluxbus.internal.delivery;

import io.fluxbus.DropReason;
import io.fluxbus.Event;
import io.fluxbus.SubscribeOptions;
import io.fluxbus.TopicPattern;
import java.util.concurrent.RejectedExecutionException;
import reactor.core.scheduler.Scheduler;

/**
 * An async subscription: a bounded buffer that publishers on any thread fill (one CAS on the reservation count,
 * one on the ring), drained on the bus's worker scheduler in batches of at most {@value #BATCH} events per task so
 * one busy subscription cannot starve others sharing a worker for long (a new task per batch costs a submission and
 * often a wake-up, so batches are large).
 *
 * <p>Publishers and the drain loop share no line they both write on every event (docs/architecture.md, "Publish
 * cost"): publishers count reservations, the drain loop counts releases, each on its own cache line, and a
 * publisher reads the releases only when its cached limit says the buffer may be full. The drain loop's
 * work-in-progress counter doubles as its sleeping flag: a publisher whose event went into the ring signals only
 * when it reads the counter as zero (the loop is idle), and otherwise leaves the event to the running loop, which
 * checks the ring once more after it went idle (the publisher's ring CAS and its read of the counter against the
 * loop's update of the counter and its read of the ring, so one of the two sees the other).
 */
abstract class AsyncEndpoint extends Endpoint implements Runnable {

  static final int BATCH = 1024;

  private final int capacity;
  private final int lowWatermark;
  private final MpscRing<Event<Object>> ring;
  /**
   * Room taken by publishers (and by the drain loop for waiters), ever; {@code cached} holds their last known
   * limit ({@code released + capacity}). Events accepted and not yet handed to the subscriber (in the ring, or in
   * a handler lane) are {@code reserved - released}.
   */
  private final PaddedCounter reserved = new PaddedCounter();
  /** Room given back, ever; written by the drain loop only. */
  private final PaddedCounter released = new PaddedCounter();

  AsyncEndpoint(long seq, String id, TopicPattern pattern, SubscribeOptions options, LocalEventBus bus) {
    super(seq, id, pattern, options, bus);
    this.capacity = options.bufferSize().orElse(bus.settings.bufferSize());
    this.ring = new MpscRing<>(capacity);
    this.lowWatermark = capacity - Math.max(1, capacity / 4);
    reserved.cached = capacity;
  }

  @Override
  final boolean roomForWaiters() {
    return bufferedCount() <= lowWatermark;
  }

  private int bufferedCount() {
    long releasedNow = released.get();
    return (int) Math.max(0, reserved.get() - releasedNow);
  }

  @Override
  final int tryOffer(Event<Object> event, Dispatch dispatch) {
    return tryFast(event);
  }

  @Override
  final int tryFast(Event<Object> event) {
    if (!reserve()) {
      return REFUSED;
    }
    ring.offer(event);
    if (isIdle()) {
      signal();
    }
    return Dispatch.ACCEPTED;
  }

  @Override
  final boolean reserve() {
    while (true) {
      long r = reserved.get();
      if (r >= reserved.cached) {
        long limit = released.get() + capacity;
        if (r >= limit) {
          return false;
        }
        // racy among publishers: a stale (lower) limit only makes the next one read the releases again
        reserved.cached = limit;
      }
      if (reserved.compareAndSet(r, r + 1)) {
        return true;
      }
    }
  }

  /** Drain loop only. */
  @Override
  final void unreserve() {
    released(1);
  }

  @Override
  final void acceptReserved(Event<Object> event) {
    ring.offer(event);
  }

  @Override
  final void signal() {
    if (enterDrain()) {
      schedule();
    }
  }

  @Override
  final void terminateHere(DropReason reason) {
    if (terminated == null) {
      terminated = reason;
    }
    if (enterDrain()) {
      run();
    }
  }

  final void schedule() {
    Scheduler workers = bus.workers();
    if (workers != null) {
      try {
        workers.schedule(this);
        return;
      } catch (RejectedExecutionException stopped) {
        // the workers were released by stop() just now
      }
    }
    // no workers: the bus is stopped, so nothing can have been accepted since and what is left is dropping (or
    // noting demand), which any thread may do
    run();
  }

  /** Takes the next buffered event off the ring, or null. Drain loop only. */
  final Event<Object> poll() {
    return ring.poll();
  }

  /** An event left the buffer: handed to the subscriber, or dropped. Drain loop only. */
  final void released() {
    released(1);
  }

  /** {@code count} events left the buffer; one store for a whole batch. Drain loop only. */
  final void released(int count) {
    if (count != 0) {
      released.setRelease(released.get() + count);
    }
  }

  @Override
  final int buffered() {
    return bufferedCount();
  }

  /** Drops every event still in the ring; drain loop only. */
  final void dropBuffered(DropReason reason) {
    Event<Object> event;
    while ((event = ring.poll()) != null) {
      released();
      dropped(event, reason);
    }
  }

  @Override
  public final void run() {
    int missed = 1;
    while (true) {
      DropReason end = terminated;
      if (end != null) {
        dropWaiters(end);
        finish(end);
      } else {
        admitWaiters();
        if (!emit()) {
          // batch used up with more to do: continue in a new task, keeping the drain loop ours
          schedule();
          return;
        }
        if (hasWaiters() && roomForWaiters()) {
          continue;
        }
      }
      missed = leaveDrain(missed);
      if (missed == 0) {
        // idle now: a publisher that saw the loop busy left its event in the ring without signalling
        if (ring.isEmpty() || (terminated == null && !canEmit()) || !tryEnterDrain()) {
          return;
        }
        missed = 1;
      }
    }
  }

  /**
   * True when the loop could hand a buffered event on now (demand, a free lane); when false, whatever makes it
   * true signals the loop itself.
   */
  abstract boolean canEmit();

  /**
   * Hands buffered events to the subscriber, at most {@value #BATCH}; false when the batch was used up and more
   * could be done now.
   */
  abstract boolean emit();

  /** Drops what is buffered and finishes the subscriber; drain loop only, once terminated. */
  abstract void finish(DropReason reason);

  @Override
  boolean idle() {
    return bufferedCount() == 0 && !hasWaiters();
  }
}
