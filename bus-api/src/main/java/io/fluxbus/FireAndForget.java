package io.fluxbus;

import java.util.Objects;
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

  private volatile boolean returned;
  private volatile PublishResult result;
  private volatile Throwable error;

  private FireAndForget() {
  }

  static PublishResult publish(EventBus bus, Event<?> event) {
    Objects.requireNonNull(event, "event must not be null");
    FireAndForget subscriber = new FireAndForget();
    bus.publish(event).subscribe(subscriber);
    subscriber.returned = true;
    Throwable failure = subscriber.error;
    if (failure != null) {
      throw Exceptions.propagate(failure);
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
    error = t;
    if (returned) {
      Operators.onErrorDropped(t, Context.empty());
    }
  }

  @Override
  public void onComplete() {
  }
}
