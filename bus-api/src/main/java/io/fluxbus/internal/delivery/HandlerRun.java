package io.fluxbus.internal.delivery;

import io.fluxbus.Event;
import io.fluxbus.EventHandler;
import io.fluxbus.RetryPolicy;
import java.util.Objects;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Exceptions;
import reactor.core.publisher.Mono;

/**
 * One handler invocation for one event, retried per the subscription's {@link RetryPolicy}. Counts the delivery,
 * times it, and reports a final failure to the bus (failed counter, lifecycle, dead letter). Subclasses say what
 * happens when it is over: a sync subscription resumes the publish, an async one frees its lane.
 */
abstract class HandlerRun implements CoreSubscriber<Void> {

  final Endpoint endpoint;
  final Event<Object> event;
  private final long start;

  HandlerRun(Endpoint endpoint, Event<Object> event) {
    this.endpoint = endpoint;
    this.event = event;
    this.start = endpoint.meters.timing() ? System.nanoTime() : 0L;
  }

  /** Calls the handler and subscribes to its result; {@link #finished()} runs once, on any thread. */
  final void start(EventHandler handler) {
    endpoint.bus.outcomes.delivered();
    RetryPolicy retry = endpoint.options.retry();
    Mono<Void> call;
    if (retry.retries()) {
      call = Mono.defer(() -> Objects.requireNonNull(handler.handle(event), "handler returned null"))
          .retryWhen(retry.toRetry());
    } else {
      try {
        call = Objects.requireNonNull(handler.handle(event), "handler returned null");
      } catch (Throwable error) {
        Exceptions.throwIfJvmFatal(error);
        call = Mono.error(error);
      }
    }
    call.subscribe(this);
  }

  @Override
  public final void onSubscribe(Subscription s) {
    s.request(Long.MAX_VALUE);
  }

  @Override
  public final void onNext(Void unused) {
    // a Mono<Void> has no values
  }

  @Override
  public final void onError(Throwable error) {
    endpoint.meters.record(start);
    failed(error, endpoint.options.retry().maxAttempts());
    finished();
  }

  /** The handler failed its last attempt: by default counted, reported and dead-lettered by the endpoint. */
  void failed(Throwable error, int attempts) {
    endpoint.failed(event, error, attempts);
  }

  @Override
  public final void onComplete() {
    endpoint.meters.record(start);
    finished();
  }

  /** The handler is done, successfully or not. */
  abstract void finished();
}
