package io.fluxbus.internal.observation;

import io.micrometer.observation.Observation;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Scannable;
import reactor.util.context.Context;

/**
 * Ends an observation with the {@code Mono} it watches: its error, completion or cancellation, once. The observation
 * is in the {@code Context} upstream sees and in scope while the end is signalled downstream, so that what the
 * subscriber does then (a dead letter published for a handler's last failure) is under it.
 */
final class ObservedSubscriber<T> implements CoreSubscriber<T>, Subscription, Scannable {

  private static final AtomicIntegerFieldUpdater<ObservedSubscriber> STOPPED =
      AtomicIntegerFieldUpdater.newUpdater(ObservedSubscriber.class, "stopped");

  private final CoreSubscriber<? super T> actual;
  private final Observation observation;
  private final Context context;
  private Subscription upstream;
  private volatile int stopped;

  ObservedSubscriber(CoreSubscriber<? super T> actual, Observation observation) {
    this.actual = actual;
    this.observation = observation;
    this.context = actual.currentContext().put(Observations.CONTEXT_KEY, observation);
  }

  @Override
  public Context currentContext() {
    return context;
  }

  @Override
  public void onSubscribe(Subscription s) {
    upstream = s;
    actual.onSubscribe(this);
  }

  @Override
  public void onNext(T value) {
    actual.onNext(value);
  }

  @Override
  public void onError(Throwable error) {
    observation.error(error);
    try (Observation.Scope scope = observation.openScope()) {
      actual.onError(error);
    } finally {
      stop();
    }
  }

  @Override
  public void onComplete() {
    try (Observation.Scope scope = observation.openScope()) {
      actual.onComplete();
    } finally {
      stop();
    }
  }

  @Override
  public void request(long n) {
    upstream.request(n);
  }

  @Override
  public void cancel() {
    upstream.cancel();
    stop();
  }

  private void stop() {
    if (STOPPED.compareAndSet(this, 0, 1)) {
      observation.stop();
    }
  }

  @Override
  public Object scanUnsafe(Attr key) {
    if (key == Attr.PARENT) {
      return upstream;
    }
    if (key == Attr.ACTUAL) {
      return actual;
    }
    if (key == Attr.TERMINATED || key == Attr.CANCELLED) {
      return stopped == 1;
    }
    return null;
  }
}
