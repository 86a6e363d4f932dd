package io.fluxbus;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Exceptions;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

/**
 * The default {@link EventBus#tryPublish(Event)}: subscribes to the publish and keeps what it signals while the
 * call lasts; what it signals later is left to Reactor's hooks (an error) or dropped (a result).
 */
final class FireAndForget implements CoreSubscriber<PublishResult> {

  /** Pending, then either RETURNED (the caller left first) or the error (it came during the call): set once. */
  private static final Object PENDING = new Object();
  private static final Object RETURNED = new Object();

  private final AtomicReference<Object> outcome = new AtomicReference<>(PENDING);
  private volatile PublishResult result;

  private FireAndForget() {
  }

  static PublishResult publish(EventBus bus, Event<?> event) {
    Objects.requireNonNull(event, "event must not be null");
    FireAndForget subscriber = new FireAndForget();
    bus.publish(event).subscribe(subscriber);
    if (!subscriber.outcome.compareAndSet(PENDING, RETURNED)) {
      // the error came during the call: thrown here, and only here
      throw Exceptions.propagate((Throwable) subscriber.outcome.get());
    }
    return subscriber.result;
  }

  @Override
  public void onSubscribe(Subscription s) {
    s.request(Long.MAX_VALUE);
  }

  @Override
  public void onNext(PublishResult value) {
    result = value;
  }

  @Override
  public void onError(Throwable t) {
    if (!outcome.compareAndSet(PENDING, t)) {
      // the caller has returned: nobody will throw it
      Operators.onErrorDropped(t, Context.empty());
    }
  }

  @Override
  public void onComplete() {
  }
}
