package io.fluxbus.internal.delivery;

import io.fluxbus.Event;
import reactor.core.CoreSubscriber;
import reactor.core.Exceptions;

/**
 * Hands events to a {@code Flux} subscriber: converts the payload to the subscription's type, times
 * {@code onNext}, and turns a conversion failure or an exception thrown by {@code onNext} into a
 * counted, reported failure instead of a broken subscription.
 */
final class Emitter {

  private final Endpoint endpoint;
  private final CoreSubscriber<? super Event<Object>> actual;
  private final Class<?> payloadType;

  Emitter(Endpoint endpoint, CoreSubscriber<? super Event<Object>> actual, Class<?> payloadType) {
    this.endpoint = endpoint;
    this.actual = actual;
    this.payloadType = payloadType;
  }

  /**
   * Emits one event; false when it could not be converted (no {@code onNext} happened, demand is unused). Either
   * way the event counts as delivered, which the caller counts: one by one on a publishing thread, per batch on a
   * worker (so the worker does not share a counter's cache line with publishers event by event).
   */
  boolean emit(Event<Object> event) {
    Event<Object> out = event;
    if (payloadType != Object.class && !payloadType.isInstance(event.payload())) {
      try {
        out = event.withPayload(event.payloadAs(payloadType));
      } catch (RuntimeException error) {
        endpoint.failed(event, error, 1);
        return false;
      }
    }
    PatternMeters meters = endpoint.meters;
    long start = meters.timing() ? System.nanoTime() : 0L;
    try {
      actual.onNext(out);
    } catch (Throwable error) {
      Exceptions.throwIfJvmFatal(error);
      endpoint.failed(event, error, 1);
    }
    meters.record(start);
    return true;
  }
}
