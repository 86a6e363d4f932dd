package io.fluxbus.test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;

/**
 * A subscriber whose demand the test controls: it requests only {@code initialDemand} on subscribe, then what
 * the test passes to {@link #request(long)}. Records values and terminal signals. Thread-safe.
 *
 * @param <T> the element type
 */
final class ControlledSubscriber<T> extends BaseSubscriber<T> {

  private final long initialDemand;
  private final List<T> values = new CopyOnWriteArrayList<>();
  private volatile boolean completed;
  private volatile Throwable error;

  private ControlledSubscriber(long initialDemand) {
    this.initialDemand = initialDemand;
  }

  /** Subscribes to {@code flux} without requesting anything: a subscriber with no outstanding demand. */
  static <T> ControlledSubscriber<T> withoutDemand(Flux<T> flux) {
    return subscribe(flux, 0);
  }

  /** Subscribes to {@code flux} requesting everything. */
  static <T> ControlledSubscriber<T> unbounded(Flux<T> flux) {
    return subscribe(flux, Long.MAX_VALUE);
  }

  private static <T> ControlledSubscriber<T> subscribe(Flux<T> flux, long initialDemand) {
    ControlledSubscriber<T> subscriber = new ControlledSubscriber<>(initialDemand);
    flux.subscribe(subscriber);
    return subscriber;
  }

  @Override
  protected void hookOnSubscribe(Subscription subscription) {
    if (initialDemand > 0) {
      subscription.request(initialDemand);
    }
  }

  @Override
  protected void hookOnNext(T value) {
    values.add(value);
  }

  @Override
  protected void hookOnComplete() {
    completed = true;
  }

  @Override
  protected void hookOnError(Throwable throwable) {
    error = throwable;
  }

  List<T> values() {
    return List.copyOf(values);
  }

  boolean isCompleted() {
    return completed;
  }

  Throwable error() {
    return error;
  }
}
