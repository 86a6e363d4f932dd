package io.fluxbus.bench;

import io.fluxbus.Event;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The raw Reactor baseline for an asynchronous bus: a bounded
 * {@code Sinks.many().multicast().onBackpressureBuffer(capacity)} drained through {@code publishOn} onto one
 * thread (default prefetch, 256).
 *
 * <p>A full buffer answers {@code FAIL_OVERFLOW}; the producer yields and tries again, which is waiting for
 * room, not a serialization retry. With more than one producer every emit is wrapped in {@code synchronized}
 * (the fastest safe option measured, about 30% ahead of {@code busyLooping} on 2 cores), so a
 * {@code FAIL_NON_SERIALIZED} can never happen and there is no busy-loop retry.
 */
final class SinksHandOff implements HandOff {

  private final Sinks.Many<Event<?>> sink;
  private final boolean synchronizedEmit;
  private final Scheduler consumer = Schedulers.newSingle("sinks-consumer", true);
  private final ReceivingSubscriber<Event<?>> subscriber;

  SinksHandOff(int producers, int capacity, Receiver receiver) {
    this.synchronizedEmit = producers > 1;
    this.sink = Sinks.many().multicast().onBackpressureBuffer(capacity, false);
    subscriber = new ReceivingSubscriber<>(receiver);
    sink.asFlux().publishOn(consumer).subscribe(subscriber);
  }

  @Override
  public Sender newSender() {
    return synchronizedEmit ? this::emitSynchronized : this::emit;
  }

  private void emit(Event<?> event) {
    Sinks.EmitResult result;
    while ((result = sink.tryEmitNext(event)) == Sinks.EmitResult.FAIL_OVERFLOW) {
      Thread.yield();
    }
    requireOk(result);
  }

  private void emitSynchronized(Event<?> event) {
    Sinks.EmitResult result;
    while (true) {
      synchronized (sink) {
        result = sink.tryEmitNext(event);
      }
      if (result != Sinks.EmitResult.FAIL_OVERFLOW) {
        break;
      }
      Thread.yield();
    }
    requireOk(result);
  }

  private static void requireOk(Sinks.EmitResult result) {
    if (result != Sinks.EmitResult.OK) {
      throw new IllegalStateException("sink refused an event: " + result);
    }
  }

  @Override
  public void requireHealthy() {
    subscriber.requireNoError();
  }

  @Override
  public void close() {
    subscriber.cancel();
    consumer.dispose();
  }
}
