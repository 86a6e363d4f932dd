package io.fluxbus.internal.delivery;

import io.fluxbus.PublishResult;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Operators;

/**
 * Stands in for a subscriber when {@link LocalEventBus#tryPublish} hands a publish to a {@link Dispatch}: keeps
 * the result if the publish ends before {@code tryPublish} returns; a result that comes later is only counted
 * (stats, lifecycle), as a fire-and-forget publish's would be.
 */
final class PublishCapture implements CoreSubscriber<PublishResult> {

  private volatile PublishResult result;

  @Override
  public void onSubscribe(Subscription s) {
    s.request(Long.MAX_VALUE);
  }

  @Override
  public void onNext(PublishResult value) {
    result = value;
  }

  @Override
  public void onError(Throwable error) {
    Operators.onErrorDropped(error, reactor.util.context.Context.empty());
  }

  @Override
  public void onComplete() {
  }

  /** The counts of the result ({@link LocalEventBus#outcome}), or {@code pending} when there is none yet. */
  long outcome(long pending) {
    PublishResult value = result;
    return value == null ? pending : LocalEventBus.outcome(value.delivered(), value.dropped());
  }
}
