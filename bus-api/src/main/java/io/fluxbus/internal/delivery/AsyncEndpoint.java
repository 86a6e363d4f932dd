package io.fluxbus.internal.delivery;

import io.fluxbus.DropReason;
import io.fluxbus.Event;
import io.fluxbus.SubscribeOptions;
import io.fluxbus.TopicPattern;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import reactor.core.scheduler.Scheduler;

/**
 * An async subscription: a bounded buffer that publishers on any thread fill (one CAS on the buffer count, one on
 * the ring), drained on the bus's worker scheduler in batches of at most {@value #BATCH} events per task so one
 * busy subscription cannot starve others sharing a worker for long (a new task per batch costs a submission and
 * often a wake-up, so batches are large).
 */
abstract class AsyncEndpoint extends Endpoint implements Runnable {

  static final int BATCH = 1024;

  private static final AtomicIntegerFieldUpdater<AsyncEndpoint> BUFFERED =
      AtomicIntegerFieldUpdater.newUpdater(AsyncEndpoint.class, "bufferedCount");

  private final int capacity;
  private final int lowWatermark;
  private final MpscRing<Event<Object>> ring;
  /** Events accepted and not yet handed to the subscriber: in the ring, or in a handler lane. */
  private volatile int bufferedCount;

  AsyncEndpoint(long seq, String id, TopicPattern pattern, SubscribeOptions options, LocalEventBus bus) {
    super(seq, id, pattern, options, bus);
    this.capacity = options.bufferSize().orElse(bus.settings.bufferSize());
    this.ring = new MpscRing<>(capacity);
    this.lowWatermark = capacity - Math.max(1, capacity / 4);
  }

  @Override
  final boolean roomForWaiters() {
    return bufferedCount <= lowWatermark;
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
    signal();
    return Dispatch.ACCEPTED;
  }

  @Override
  final boolean reserve() {
    while (true) {
      int b = bufferedCount;
      if (b >= capacity) {
        return false;
      }
      if (BUFFERED.compareAndSet(this, b, b + 1)) {
        return true;
      }
    }
  }

  @Override
  final void unreserve() {
    BUFFERED.decrementAndGet(this);
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

  /** An event left the buffer: handed to the subscriber, or dropped. */
  final void released() {
    BUFFERED.decrementAndGet(this);
  }

  /** {@code count} events left the buffer; one atomic update for a whole batch. */
  final void released(int count) {
    if (count != 0) {
      BUFFERED.addAndGet(this, -count);
    }
  }

  @Override
  final int buffered() {
    return bufferedCount;
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
        return;
      }
    }
  }

  /**
   * Hands buffered events to the subscriber, at most {@value #BATCH}; false when the batch was used up and more
   * could be done now.
   */
  abstract boolean emit();

  /** Drops what is buffered and finishes the subscriber; drain loop only, once terminated. */
  abstract void finish(DropReason reason);

  @Override
  boolean idle() {
    return bufferedCount == 0 && !hasWaiters();
  }
}
