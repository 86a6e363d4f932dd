package io.fluxbus.internal.delivery;

import io.fluxbus.DropReason;
import io.fluxbus.Event;
import io.fluxbus.SubscribeOptions;
import io.fluxbus.TopicPattern;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;

/**
 * A sync {@code Flux} subscription: events go to {@code onNext} on the publishing thread, one unit of the
 * subscriber's demand each. Without demand the delivery mode applies; a waiting event is emitted on the thread
 * that calls {@code request}. Emissions are serialized (Reactive Streams rule 1.3): when another publisher's
 * thread is inside {@code onNext}, the event is handed to that thread and the publish completes once it has been
 * emitted.
 */
final class SyncFluxEndpoint extends Endpoint implements Subscription {

  private final CoreSubscriber<? super Event<Object>> actual;
  private final Emitter emitter;
  /** The subscriber's demand: its own, or one shared with other subscriptions (a router's). */
  private final SharedDemand demand;
  private final Runnable onRequest = this::signal;
  private volatile boolean cancelled;

  SyncFluxEndpoint(long seq, String id, TopicPattern pattern, SubscribeOptions options, LocalEventBus bus,
                   CoreSubscriber<? super Event<Object>> actual, Class<?> payloadType) {
    super(seq, id, pattern, options, bus);
    this.actual = actual;
    this.emitter = new Emitter(this, actual, payloadType);
    SharedDemand shared = SharedDemand.in(actual.currentContext());
    this.demand = shared != null ? shared : new SharedDemand();
    demand.join(onRequest);
  }

  /**
   * The publish fast path for the common case (live, no waiters, demand, nobody emitting): emits here and answers
   * {@link Dispatch#HANDED}, leaving the delivery to be counted by the caller with the publish's others, one
   * counter update per publish instead of one per subscriber. Anything else takes the general path.
   */
  @Override
  int offerFast(Event<Object> event) {
    if (terminated == null && !hasWaiters() && demand.take()) {
      if (tryEnterDrain()) {
        DropReason end = terminated;
        if (end != null) {
          // a stop completed the subscriber after the check above: no onNext after onComplete
          unreserve();
          drain(1);
          dropped(event, end);
          return Dispatch.DROPPED;
        }
        if (!emitter.emit(event)) {
          unreserve();
        }
        drain(1);
        return Dispatch.HANDED;
      }
      unreserve();
    }
    return super.offerFast(event);
  }

  @Override
  int tryFast(Event<Object> event) {
    if (!reserve()) {
      return REFUSED;
    }
    if (tryEnterDrain()) {
      if (terminated != null) {
        // stopped since the caller looked: the general path drops and counts it
        unreserve();
        drain(1);
        return SLOW;
      }
      emitUsingDemand(event);
      drain(1);
      return Dispatch.ACCEPTED;
    }
    // another thread is emitting: the event must be handed to it, which needs a Dispatch to report back
    unreserve();
    return SLOW;
  }

  @Override
  int tryOffer(Event<Object> event, Dispatch dispatch) {
    int outcome = tryFast(event);
    if (outcome != SLOW) {
      return outcome;
    }
    if (!reserve()) {
      return REFUSED;
    }
    enqueue(new Waiter(event, dispatch, Waiter.RESERVED));
    return Dispatch.WAITING;
  }

  @Override
  boolean reserve() {
    return demand.take();
  }

  @Override
  void unreserve() {
    demand.giveBack();
  }

  @Override
  void acceptReserved(Event<Object> event) {
    emitUsingDemand(event);
  }

  private void emitUsingDemand(Event<Object> event) {
    bus.outcomes.delivered();
    if (!emitter.emit(event)) {
      unreserve();
    }
  }

  @Override
  void signal() {
    if (enterDrain()) {
      drain(1);
    }
  }

  private void drain(int missed) {
    while (true) {
      DropReason end = terminated;
      if (end != null) {
        demand.leave(onRequest);
        dropWaiters(end);
        if (markFinished() && end == DropReason.STOPPED && !cancelled) {
          actual.onComplete();
        }
      } else {
        admitWaiters();
      }
      missed = leaveDrain(missed);
      if (missed == 0) {
        return;
      }
    }
  }

  @Override
  public void request(long n) {
    demand.request(n);
  }

  @Override
  public void cancel() {
    if (!cancelled) {
      cancelled = true;
      bus.remove(this, DropReason.UNSUBSCRIBED);
    }
  }

  @Override
  boolean idle() {
    return !hasWaiters();
  }

  @Override
  int buffered() {
    return 0;
  }

  /** Hands this subscription to the subscriber; the endpoint must already be registered. */
  void start() {
    actual.onSubscribe(this);
  }
}
