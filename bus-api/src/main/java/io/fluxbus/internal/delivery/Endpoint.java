package io.fluxbus.internal.delivery;

import io.fluxbus.DeliveryMode;
import io.fluxbus.DropReason;
import io.fluxbus.Event;
import io.fluxbus.SubscribeOptions;
import io.fluxbus.TopicPattern;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import reactor.core.scheduler.Schedulers;
import reactor.util.concurrent.Queues;

/**
 * The receiving end of one subscription (or of one consumer group) inside a {@link LocalEventBus}.
 *
 * <p>An endpoint takes an event at once when it has room ({@link #tryOffer}); otherwise its delivery mode
 * decides: {@code drop} counts the event as dropped, {@code block} and {@code timeout} park the event (never a
 * thread) in a FIFO queue of {@link Waiter}s that the endpoint admits as room frees up. Once any waiter exists,
 * new events queue behind it, so a subscription sees events in publish order.
 *
 * <p>All state changes that touch the subscriber (admitting waiters, emitting, terminating) happen inside the
 * endpoint's drain loop, entered by whichever thread wins its work-in-progress counter; {@link #signal()} asks
 * for a pass. Termination (unsubscribe, stop) is a flag the loop acts on, so it never races an emission: every
 * event still buffered or waiting is counted as dropped exactly once.
 */
abstract class Endpoint {

  /** No room now. */
  static final int REFUSED = -1;
  /** The event needs the slow path (a {@link Dispatch}): a sync handler to run, or a busy emitter to wait for. */
  static final int SLOW = -2;

  private static final AtomicIntegerFieldUpdater<Endpoint> WIP =
      AtomicIntegerFieldUpdater.newUpdater(Endpoint.class, "wip");

  final long seq;
  final String id;
  final TopicPattern pattern;
  final SubscribeOptions options;
  final LocalEventBus bus;
  final DeliveryMode mode;
  final Duration maxWait;
  /** Set when the endpoint is registered; a shared unbound instance until then. */
  volatile PatternMeters meters = PatternMeters.NONE;
  private final Queue<Waiter> waiters = Queues.<Waiter>unboundedMultiproducer().get();
  private volatile int wip;
  /** Null while live, else why the endpoint ended. */
  volatile DropReason terminated;
  private volatile boolean finished;

  Endpoint(long seq, String id, TopicPattern pattern, SubscribeOptions options, LocalEventBus bus) {
    this.seq = seq;
    this.id = id;
    this.pattern = pattern;
    this.options = options;
    this.bus = bus;
    this.mode = options.deliveryMode().orElse(bus.settings.deliveryMode());
    this.maxWait = mode instanceof DeliveryMode.Timeout t ? t.maxWait()
        : mode instanceof DeliveryMode.Block ? bus.settings.publishBlockTimeout() : null;
  }

  /**
   * Offers an event on behalf of a publish: {@link Dispatch#ACCEPTED}, {@link Dispatch#DROPPED},
   * {@link Dispatch#WAITING} (the endpoint will call {@link Dispatch#waitEnded}) or {@link Dispatch#SUSPENDED}
   * (a sync handler is running; the endpoint will call {@link Dispatch#resume}).
   */
  int offer(Event<Object> event, Dispatch dispatch) {
    int outcome = offerNow(event, dispatch);
    return outcome != REFUSED ? outcome : refuse(event, dispatch);
  }

  /**
   * The publish fast path: takes the event if there is room now ({@link Dispatch#ACCEPTED}), drops it when the
   * mode is drop or the endpoint has ended ({@link Dispatch#DROPPED}, counted), and otherwise answers
   * {@link #SLOW} so the caller switches to {@link #offer} with a {@link Dispatch}. Never waits.
   */
  int offerFast(Event<Object> event) {
    DropReason end = terminated;
    if (end != null) {
      dropped(event, end);
      return Dispatch.DROPPED;
    }
    if (waiters.isEmpty()) {
      int outcome = tryFast(event);
      if (outcome != REFUSED) {
        return outcome;
      }
    }
    if (mode instanceof DeliveryMode.Drop) {
      dropped(event, DropReason.BUFFER_FULL);
      return Dispatch.DROPPED;
    }
    return SLOW;
  }

  /**
   * Takes the event at once if that needs no {@link Dispatch}: {@link Dispatch#ACCEPTED}, {@link #REFUSED} when
   * there is no room, or {@link #SLOW} when taking it needs a Dispatch; counts nothing. Called only with no
   * waiters queued.
   */
  abstract int tryFast(Event<Object> event);

  /** Takes the event if there is room right now, else {@link #REFUSED} without counting anything. */
  int offerNow(Event<Object> event, Dispatch dispatch) {
    DropReason end = terminated;
    if (end != null) {
      return REFUSED;
    }
    return waiters.isEmpty() ? tryOffer(event, dispatch) : REFUSED;
  }

  /** What the delivery mode does with an event this endpoint has no room for. */
  int refuse(Event<Object> event, Dispatch dispatch) {
    DropReason end = terminated;
    if (end != null) {
      dropped(event, end);
      return Dispatch.DROPPED;
    }
    if (mode instanceof DeliveryMode.Drop) {
      dropped(event, DropReason.BUFFER_FULL);
      return Dispatch.DROPPED;
    }
    enqueue(new Waiter(event, dispatch, Waiter.WAITING));
    return Dispatch.WAITING;
  }

  /** Queues a waiter, arms its timer, and asks for a drain pass that may admit it at once. */
  final void enqueue(Waiter waiter) {
    waiter.dispatch.waitStarted();
    waiters.offer(waiter);
    if (waiter.state == Waiter.WAITING && maxWait != null) {
      waiter.timer = Schedulers.parallel().schedule(() -> expire(waiter), maxWait.toNanos(), TimeUnit.NANOSECONDS);
    }
    signal();
  }

  private void expire(Waiter waiter) {
    if (waiter.claim(Waiter.WAITING)) {
      dropped(waiter.event, DropReason.TIMEOUT);
      waiter.dispatch.waitEnded(false);
    }
  }

  /** Takes the event if there is room; {@link #REFUSED} when there is none. Called only with no waiters. */
  abstract int tryOffer(Event<Object> event, Dispatch dispatch);

  /** Reserves room for one event (a buffer slot, or a unit of demand); false when there is none. */
  abstract boolean reserve();

  /** Gives back room reserved by {@link #reserve()} and not used. */
  abstract void unreserve();

  /** Takes an event whose room is reserved; runs inside the drain loop. */
  abstract void acceptReserved(Event<Object> event);

  /** Runs the drain loop now, or makes the thread already in it go round again. */
  abstract void signal();

  /** True when nothing is buffered, waiting or running, so stop need not wait for this endpoint. */
  abstract boolean idle();

  /**
   * One pass of the drain loop. Subclasses call it from their loop while holding the work-in-progress counter
   * ({@link #enterDrain()}); it admits waiters, lets the subclass emit, and acts on termination.
   */
  final void admitWaiters() {
    if (waiters.isEmpty() || !roomForWaiters()) {
      return;
    }
    Waiter waiter;
    while ((waiter = waiters.peek()) != null) {
      int state = waiter.state;
      if (state == Waiter.DONE) {
        waiters.poll();
      } else if (state == Waiter.RESERVED) {
        // removed only once its event is in the buffer: until then a publisher's next event sees a waiter and
        // queues behind it, as the class promises, instead of overtaking it on the fast path
        if (waiter.claim(Waiter.RESERVED)) {
          acceptReserved(waiter.event);
          waiters.poll();
          waiter.dispatch.waitEnded(true);
        } else {
          waiters.poll();
        }
      } else if (waiter.dispatch.isCancelled()) {
        waiters.poll();
        if (waiter.claim(Waiter.WAITING)) {
          dropped(waiter.event, DropReason.CANCELLED);
          waiter.dispatch.waitEnded(false);
        }
      } else if (reserve()) {
        if (waiter.claim(Waiter.WAITING)) {
          acceptReserved(waiter.event);
          waiters.poll();
          waiter.dispatch.waitEnded(true);
        } else {
          waiters.poll();
          unreserve();
        }
      } else {
        return;
      }
    }
  }

  /**
   * True when waiting events may be admitted now. Buffered endpoints admit only once a quarter of the buffer has
   * drained, so a publisher held back by a full buffer gets room for a batch, not for one event at a time.
   */
  boolean roomForWaiters() {
    return true;
  }

  /** True when a waiter is queued (possibly one already claimed but not yet removed). */
  final boolean hasWaiters() {
    return !waiters.isEmpty();
  }

  /** Drops every waiter; called by the drain loop once terminated. */
  final void dropWaiters(DropReason reason) {
    Waiter waiter;
    while ((waiter = waiters.poll()) != null) {
      if (waiter.claimAny() != Waiter.DONE) {
        dropped(waiter.event, reason);
        waiter.dispatch.waitEnded(false);
      }
    }
  }

  final boolean enterDrain() {
    return WIP.getAndIncrement(this) == 0;
  }

  /** Enters the drain loop only when nobody is in it, without leaving a missed signal otherwise. */
  final boolean tryEnterDrain() {
    return WIP.compareAndSet(this, 0, 1);
  }

  /** True when no thread is in the drain loop: the loop's sleeping flag. */
  final boolean isIdle() {
    return wip == 0;
  }

  final int leaveDrain(int missed) {
    return WIP.addAndGet(this, -missed);
  }

  /** Ends the endpoint: its drain loop drops what is left and completes the subscriber (on stop). */
  void terminate(DropReason reason) {
    if (terminated == null) {
      terminated = reason;
    }
    signal();
  }

  /**
   * Ends the endpoint and, when no other thread is in its drain loop, runs that loop here at once, so what it
   * still holds is counted as dropped before this returns; otherwise the thread in the loop does it.
   */
  void terminateHere(DropReason reason) {
    terminate(reason);
  }

  /** Called by the drain loop after it dropped everything, once; completes the subscriber on stop. */
  final boolean markFinished() {
    if (finished) {
      return false;
    }
    finished = true;
    return true;
  }

  final boolean isFinished() {
    return finished;
  }

  void dropped(Event<Object> event, DropReason reason) {
    bus.outcomes.dropped(this, event, reason);
  }

  /**
   * The subscriber failed {@code event} for the last time ({@code attempts} tries): counted, reported, and
   * dead-lettered when a topic applies. Endpoints served from a durable log leave the dead letter to the engine.
   */
  void failed(Event<Object> event, Throwable error, int attempts) {
    bus.outcomes.failed(this, event, error, attempts);
  }

  /** The buffer use reported by {@code fluxbus.buffer.used}. */
  abstract int buffered();

  boolean isAsync() {
    return options.isAsync();
  }
}
