package io.fluxbus.internal.delivery;

import io.fluxbus.Event;
import io.fluxbus.PublishResult;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Scannable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.core.scheduler.Scheduler;

/**
 * The lazy publish: each subscription runs one publish of the event; nothing happens before that.
 *
 * <p>A publish that completes on the fast path has its result at once. For the first subscriber this object is
 * also that result's {@link Subscription} (one allocation less per publish, which is most of what the fast path
 * allocates); later subscribers of the same {@code Mono} get a scalar subscription of their own.
 */
final class PublishMono extends Mono<PublishResult> implements Subscription, Scannable {

  private static final AtomicIntegerFieldUpdater<PublishMono> STATE =
      AtomicIntegerFieldUpdater.newUpdater(PublishMono.class, "state");
  private static final int UNUSED = 0;
  private static final int WAITING_FOR_REQUEST = 1;
  private static final int DONE = 2;

  private final LocalEventBus bus;
  private final Event<Object> event;
  private final Scheduler slowPath;
  private CoreSubscriber<? super PublishResult> actual;
  private PublishResult result;
  private volatile int state;

  /** @param slowPath where the publish runs when a subscription matches ({@link LocalEventBus#publish(Event,
   *     Scheduler)}); null: right here */
  /** A new lazy publish, through Reactor's assembly hooks (debug tracing, {@code checkpoint()}). */
  static Mono<PublishResult> create(LocalEventBus bus, Event<Object> event, Scheduler slowPath) {
    return onAssembly(new PublishMono(bus, event, slowPath));
  }

  private PublishMono(LocalEventBus bus, Event<Object> event, Scheduler slowPath) {
    this.bus = bus;
    this.event = event;
    this.slowPath = slowPath;
  }

  @Override
  public void subscribe(CoreSubscriber<? super PublishResult> actual) {
    bus.dispatch(event, actual, this, slowPath);
  }

  @Override
  public Object scanUnsafe(Attr key) {
    if (key == Attr.RUN_STYLE) {
      return Attr.RunStyle.ASYNC;
    }
    if (key == Attr.TERMINATED) {
      return state == DONE;
    }
    return null;
  }

  /** {@code fluxbus.publish(<topic>)}: the step's name in {@code Scannable} tooling and traces. */
  @Override
  public String stepName() {
    return "fluxbus.publish(" + event.topic() + ")";
  }

  /** Hands a fast-path result to {@code subscriber}, through this object when it is still unused. */
  void complete(CoreSubscriber<? super PublishResult> subscriber, PublishResult value) {
    if (state == UNUSED && STATE.compareAndSet(this, UNUSED, WAITING_FOR_REQUEST)) {
      this.actual = subscriber;
      this.result = value;
      subscriber.onSubscribe(this);
    } else {
      subscriber.onSubscribe(Operators.scalarSubscription(subscriber, value));
    }
  }

  @Override
  public void request(long n) {
    if (Operators.validate(n) && STATE.compareAndSet(this, WAITING_FOR_REQUEST, DONE)) {
      CoreSubscriber<? super PublishResult> subscriber = actual;
      PublishResult value = result;
      actual = null;
      result = null;
      subscriber.onNext(value);
      subscriber.onComplete();
    }
  }

  @Override
  public void cancel() {
    if (STATE.compareAndSet(this, WAITING_FOR_REQUEST, DONE)) {
      actual = null;
      result = null;
    }
  }
}
