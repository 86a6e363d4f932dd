package io.fluxbus.bench;

import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;

/**
 * A Reactive Streams subscriber with unbounded demand that tells a {@link Receiver} about each element,
 * used for Fluxbus subscriptions and for the raw {@code Sinks} peers alike.
 */
final class ReceivingSubscriber<T> implements CoreSubscriber<T> {

  private final Receiver receiver;
  private volatile Subscription subscription;
  private volatile Throwable error;

  ReceivingSubscriber(Receiver receiver) {
    this.receiver = receiver;
  }

  @Override
  public void onSubscribe(Subscription s) {
    subscription = s;
    s.request(Long.MAX_VALUE);
  }

  @Override
  public void onNext(T element) {
    receiver.received();
  }

  @Override
  public void onError(Throwable t) {
    error = t;
  }

  @Override
  public void onComplete() {
  }

  /** Cancels the subscription, if one was received. */
  void cancel() {
    Subscription s = subscription;
    if (s != null) {
      s.cancel();
    }
  }

  /**
   * Fails if the stream ended with an error: a benchmark whose subscriber failed measured nothing.
   *
   * @throws IllegalStateException carrying the stream's error
   */
  void requireNoError() {
    Throwable t = error;
    if (t != null) {
      throw new IllegalStateException("subscriber received an error signal", t);
    }
  }
}
