package io.fluxbus.internal.delivery;

import io.fluxbus.DropReason;
import io.fluxbus.Event;
import io.fluxbus.PublishResult;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.LongAdder;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Operators;
import reactor.core.scheduler.Scheduler;

/**
 * The slow path of one publish, taken over from the fast path at the first endpoint that must wait or run a sync
 * handler: offers the event to each remaining endpoint in subscription order and completes the publish
 * {@code Mono} with the {@link PublishResult} once every endpoint has taken or refused it.
 *
 * <p>The offer loop runs on the publishing thread; it pauses while a sync handler's {@code Mono} is pending and
 * resumes on the thread that completes it, or on its home scheduler when it has one (a publish moved to a slow path
 * stays there), so at most one thread runs the loop at a time. Endpoints that wait
 * for room ({@code block}, {@code timeout}) resolve later from other threads; a counter of outstanding parts
 * (the loop itself plus each waiting endpoint) decides who completes the result.
 */
final class Dispatch extends Operators.MonoSubscriber<Object, PublishResult> {

  static final int ACCEPTED = 0;
  static final int DROPPED = 1;
  static final int WAITING = 2;
  static final int SUSPENDED = 3;
  /**
   * Only from {@link Endpoint#offerFast} to {@link LocalEventBus}'s fast loop: handed to a sync subscriber and not
   * yet counted as delivered; the loop counts all of a publish's at once.
   */
  static final int HANDED = 4;

  private static final AtomicIntegerFieldUpdater<Dispatch> OUTSTANDING =
      AtomicIntegerFieldUpdater.newUpdater(Dispatch.class, "outstanding");
  private static final AtomicIntegerFieldUpdater<Dispatch> LATE_DELIVERED =
      AtomicIntegerFieldUpdater.newUpdater(Dispatch.class, "lateDelivered");
  private static final AtomicIntegerFieldUpdater<Dispatch> LATE_DROPPED =
      AtomicIntegerFieldUpdater.newUpdater(Dispatch.class, "lateDropped");

  final Event<Object> event;
  private final Endpoint[] endpoints;
  private final Scheduler home;
  private final LongAdder inFlight;
  private int index;
  private int delivered;
  private int dropped;
  private volatile int outstanding = 1;
  private volatile int lateDelivered;
  private volatile int lateDropped;

  /**
   * Takes over a publish whose fast path stopped at {@code index}, with what it counted so far.
   *
   * @param home where the loop resumes after a sync handler completed, or null: where it completed
   * @param inFlight the bus's count of such publishes, already counting this one; decremented when it ends
   */
  Dispatch(CoreSubscriber<? super PublishResult> actual, Event<Object> event, Endpoint[] endpoints, int index,
           int delivered, int dropped, Scheduler home, LongAdder inFlight) {
    super(actual);
    this.home = home;
    this.inFlight = inFlight;
    this.event = event;
    this.endpoints = endpoints;
    this.index = index;
    this.delivered = delivered;
    this.dropped = dropped;
  }

  /** Runs (or resumes) the offer loop. */
  void run() {
    Endpoint[] all = endpoints;
    while (index < all.length) {
      Endpoint endpoint = all[index++];
      int outcome = endpoint.offer(event, this);
      if (outcome == ACCEPTED) {
        delivered++;
      } else if (outcome == DROPPED) {
        dropped++;
      } else if (outcome == SUSPENDED) {
        return;
      }
    }
    partDone();
  }

  /**
   * A sync handler that suspended the loop has completed: count it and go on with the next endpoint, on the home
   * scheduler if there is one. If that is closed, the remaining endpoints count as dropped.
   */
  void resume() {
    delivered++;
    if (home == null) {
      run();
      return;
    }
    try {
      home.schedule(this::run);
    } catch (RejectedExecutionException closed) {
      while (index < endpoints.length) {
        endpoints[index++].dropped(event, DropReason.STOPPED);
        dropped++;
      }
      partDone();
    }
  }

  /** An endpoint is about to wait for room; call before the waiter becomes visible to other threads. */
  void waitStarted() {
    OUTSTANDING.incrementAndGet(this);
  }

  /** A waiting endpoint took ({@code true}) or refused the event. Any thread, once per {@link #waitStarted}. */
  void waitEnded(boolean accepted) {
    if (accepted) {
      LATE_DELIVERED.incrementAndGet(this);
    } else {
      LATE_DROPPED.incrementAndGet(this);
    }
    partDone();
  }

  private void partDone() {
    if (OUTSTANDING.decrementAndGet(this) == 0) {
      inFlight.decrement();
      complete(new PublishResult(event.id(), delivered + lateDelivered, dropped + lateDropped));
    }
  }
}
