package io.fluxbus.internal.delivery;

import io.fluxbus.DropReason;
import io.fluxbus.Event;
import io.fluxbus.SubscribeOptions;
import io.fluxbus.TopicPattern;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Operators;

/**
 * An async {@code Flux} subscription: buffered events are emitted on a bus worker as the subscriber's demand
 * allows; a subscriber that stops requesting fills the buffer, and then the delivery mode applies.
 */
final class AsyncFluxEndpoint extends AsyncEndpoint implements Subscription {

  private static final AtomicLongFieldUpdater<AsyncFluxEndpoint> REQUESTED =
      AtomicLongFieldUpdater.newUpdater(AsyncFluxEndpoint.class, "requested");

  private final CoreSubscriber<? super Event<Object>> actual;
  private final Emitter emitter;
  /** The subscriber's demand when it is shared with other subscriptions (a router's), else null. */
  private final SharedDemand shared;
  private final Runnable onSharedRequest = this::signal;
  private volatile long requested;
  private volatile boolean cancelled;

  AsyncFluxEndpoint(long seq, String id, TopicPattern pattern, SubscribeOptions options, LocalEventBus bus,
                    CoreSubscriber<? super Event<Object>> actual, Class<?> payloadType) {
    super(seq, id, pattern, options, bus);
    this.actual = actual;
    this.emitter = new Emitter(this, actual, payloadType);
    this.shared = SharedDemand.in(actual.currentContext());
    if (shared != null) {
      shared.join(onSharedRequest);
    }
  }

  @Override
  boolean emit() {
    if (shared != null) {
      return emitOnSharedDemand();
    }
    long demand = requested;
    long emitted = 0;
    int budget = BATCH;
    boolean more = true;
    int taken = 0;
    while (emitted < demand) {
      if (budget-- == 0) {
        more = false;
        break;
      }
      Event<Object> event = poll();
      if (event == null) {
        break;
      }
      taken++;
      if (emitter.emit(event)) {
        emitted++;
      }
    }
    released(taken);
    bus.outcomes.delivered(taken);
    if (emitted != 0 && demand != Long.MAX_VALUE) {
      REQUESTED.addAndGet(this, -emitted);
    }
    return more;
  }

  private boolean emitOnSharedDemand() {
    int taken = 0;
    boolean more = false;
    for (int budget = BATCH; ; budget--) {
      if (budget == 0) {
        more = true;
        break;
      }
      if (!shared.take()) {
        break;
      }
      Event<Object> event = poll();
      if (event == null) {
        shared.giveBack();
        break;
      }
      taken++;
      if (!emitter.emit(event)) {
        shared.giveBack();
      }
    }
    released(taken);
    bus.outcomes.delivered(taken);
    return !more;
  }

  @Override
  boolean canEmit() {
    return shared != null ? shared.available() : requested != 0;
  }

  @Override
  void finish(DropReason reason) {
    if (shared != null) {
      shared.leave(onSharedRequest);
    }
    dropBuffered(reason);
    if (markFinished() && reason == DropReason.STOPPED && !cancelled) {
      actual.onComplete();
    }
  }

  @Override
  public void request(long n) {
    if (Operators.validate(n)) {
      Operators.addCap(REQUESTED, this, n);
      signal();
    }
  }

  @Override
  public void cancel() {
    if (!cancelled) {
      cancelled = true;
      bus.remove(this, DropReason.UNSUBSCRIBED);
    }
  }

  /** Hands this subscription to the subscriber; the endpoint must already be registered. */
  void start() {
    actual.onSubscribe(this);
  }
}
