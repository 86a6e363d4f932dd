package io.fluxbus.internal.delivery;

import io.fluxbus.DropReason;
import io.fluxbus.Event;
import io.fluxbus.SubscribeOptions;
import io.fluxbus.TopicPattern;
import io.fluxbus.spi.Delivery;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;

/**
 * A {@code Flux} subscription served from a durable log: each event takes one unit of the subscriber's demand
 * and is settled once {@code onNext} returned. Without demand the member takes nothing and the events wait in the
 * log, so a slow subscriber slows its reading and loses nothing. {@code onNext} runs only in the consumer's
 * dispatch loop, which serializes it with {@code onComplete}.
 */
final class LogFluxEndpoint extends LogEndpoint implements Subscription {

  private final CoreSubscriber<? super Event<Object>> actual;
  private final Emitter emitter;
  private final SharedDemand demand;
  private final Runnable onRequest = this::signal;
  /** The outcome of the event being emitted; dispatch loop only. */
  private Delivery outcome;
  private volatile boolean cancelled;

  LogFluxEndpoint(long seq, String id, TopicPattern pattern, SubscribeOptions options, LocalEventBus bus,
                  CoreSubscriber<? super Event<Object>> actual, Class<?> payloadType) {
    super(seq, id, pattern, options, bus);
    this.actual = actual;
    this.emitter = new Emitter(this, actual, payloadType);
    SharedDemand shared = SharedDemand.in(actual.currentContext());
    this.demand = shared != null ? shared : new SharedDemand();
    demand.join(onRequest);
  }

  @Override
  int capacity() {
    return 1;
  }

  @Override
  boolean reserve() {
    return terminated == null && demand.take();
  }

  @Override
  void unreserve() {
    demand.giveBack();
  }

  @Override
  void take(LocalLogConsumer.Pending delivery) {
    outcome = Delivery.Handled.INSTANCE;
    bus.outcomes.delivered();
    if (!emitter.emit(delivery.event())) {
      unreserve();
    }
    delivery.settle(outcome);
  }

  @Override
  void failed(Event<Object> event, Throwable error, int attempts) {
    outcome = failure(event, error, attempts);
  }

  @Override
  void finishLeaving() {
    demand.leave(onRequest);
    if (markFinished() && terminated == DropReason.STOPPED && !cancelled) {
      actual.onComplete();
    }
  }

  @Override
  boolean idle() {
    return true;
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

  /** Hands this subscription to the subscriber. */
  void start() {
    actual.onSubscribe(this);
  }

  /** Ends the subscriber with the error that kept its consumer from reading the log. */
  void failToAttach(Throwable error) {
    if (!cancelled) {
      cancelled = true;
      bus.remove(this, DropReason.UNSUBSCRIBED);
      actual.onError(error);
    }
  }
}
