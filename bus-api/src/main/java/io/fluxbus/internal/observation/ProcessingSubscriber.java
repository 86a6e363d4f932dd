package io.fluxbus.internal.observation;

import io.fluxbus.Event;
import io.micrometer.observation.Observation;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Scannable;
import reactor.util.context.Context;

/** Passes a subscription's events on, each inside its own process observation (see {@link Observations}). */
final class ProcessingSubscriber<T> implements CoreSubscriber<Event<T>>, Subscription, Scannable {

  private final CoreSubscriber<? super Event<T>> actual;
  private final Observations observations;
  private final String pattern;
  private final String group;
  private Subscription upstream;

  ProcessingSubscriber(CoreSubscriber<? super Event<T>> actual, Observations observations, String pattern,
                       String group) {
    this.actual = actual;
    this.observations = observations;
    this.pattern = pattern;
    this.group = group;
  }

  @Override
  public Context currentContext() {
    return actual.currentContext();
  }

  @Override
  public void onSubscribe(Subscription s) {
    this.upstream = s;
    actual.onSubscribe(this);
  }

  @Override
  public void onNext(Event<T> event) {
    if (observations.isNoop()) {
      actual.onNext(event);
      return;
    }
    Observation observation = observations.processObservation(event, pattern, group);
    try (Observation.Scope scope = observation.openScope()) {
      actual.onNext(event);
    } catch (Throwable error) {
      observation.error(error);
      throw error;
    } finally {
      observation.stop();
    }
  }

  @Override
  public void onError(Throwable error) {
    actual.onError(error);
  }

  @Override
  public void onComplete() {
    actual.onComplete();
  }

  @Override
  public void request(long n) {
    upstream.request(n);
  }

  @Override
  public void cancel() {
    upstream.cancel();
  }

  @Override
  public Object scanUnsafe(Attr key) {
    if (key == Attr.PARENT) {
      return upstream;
    }
    if (key == Attr.ACTUAL) {
      return actual;
    }
    return null;
  }
}
