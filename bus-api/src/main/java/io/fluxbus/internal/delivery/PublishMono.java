package io.fluxbus.internal.delivery;

import io.fluxbus.Event;
import io.fluxbus.PublishResult;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
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
 * also that result's {@link Subscription}, and it holds nothing but the bus, the event and one state word (24
 * bytes, the whole per-publish allocation of the fast path; docs/architecture.md, "Publish cost"): a subscriber
 * that requests inside {@code onSubscribe}, as nearly all do, gets its {@link PublishResult} built right before
 * {@code onNext}, where the JIT can often scalar-replace it. Only a subscriber that requests later makes the
 * result (and who to send it to) wait in a {@link Pending}. Later subscribers of the same {@code Mono} get a
 * scalar subscription of their own.
 */
class PublishMono extends Mono<PublishResult> implements Subscription, Scannable {

  @SuppressWarnings("rawtypes")
  private static final AtomicReferenceFieldUpdater<PublishMono, Object> STATE =
      AtomicReferenceFieldUpdater.newUpdater(PublishMono.class, Object.class, "state");
  /** The first subscriber is in {@code onSubscribe} and has not requested yet. */
  private static final Object SUBSCRIBING = new Object();
  /** The first subscriber requested inside {@code onSubscribe}. */
  private static final Object REQUESTED = new Object();
  /** The first subscriber got its result, or cancelled. */
  private static final Object DONE = new Object();

  final LocalEventBus bus;
  final Event<Object> event;
  /** null (unused), one of the markers above, or a {@link Pending} result waiting for a request. */
  private volatile Object state;

  /** A new lazy publish, through Reactor's assembly hooks (debug tracing, {@code checkpoint()}). */
  static Mono<PublishResult> create(LocalEventBus bus, Event<Object> event) {
    return onAssembly(new PublishMono(bus, event));
  }

  /**
   * A new lazy publish that moves to {@code slowPath} when a subscription matches
   * ({@link LocalEventBus#publish(Event, Scheduler)}).
   */
  static Mono<PublishResult> create(LocalEventBus bus, Event<Object> event, Scheduler slowPath) {
    return onAssembly(new OnSlowPath(bus, event, slowPath));
  }

  PublishMono(LocalEventBus bus, Event<Object> event) {
    this.bus = bus;
    this.event = event;
  }

  @Override
  public void subscribe(CoreSubscriber<? super PublishResult> actual) {
    bus.dispatch(event, actual, this, null);
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
  final void complete(CoreSubscriber<? super PublishResult> subscriber, String eventId, int delivered,
                      int dropped) {
    if (state != null || !STATE.compareAndSet(this, null, SUBSCRIBING)) {
      subscriber.onSubscribe(Operators.scalarSubscription(subscriber,
          new PublishResult(eventId, delivered, dropped)));
      return;
    }
    subscriber.onSubscribe(this);
    while (true) {
      Object s = state;
      if (s == REQUESTED) {
        // no CAS: only a cancel can race this store, and a result that follows a racing cancel is allowed (Reactive
        // Streams 3.12: cancelling stops signals eventually)
        STATE.lazySet(this, DONE);
        subscriber.onNext(new PublishResult(eventId, delivered, dropped));
        subscriber.onComplete();
        return;
      } else if (s == SUBSCRIBING) {
        // no request yet: the result waits for one, which any thread may make
        if (STATE.compareAndSet(this, SUBSCRIBING,
            new Pending(subscriber, new PublishResult(eventId, delivered, dropped)))) {
          return;
        }
      } else {
        // cancelled
        return;
      }
    }
  }

  @Override
  public final void request(long n) {
    if (!Operators.validate(n)) {
      return;
    }
    while (true) {
      Object s = state;
      if (s == SUBSCRIBING) {
        if (STATE.compareAndSet(this, SUBSCRIBING, REQUESTED)) {
          return;
        }
      } else if (s instanceof Pending pending) {
        if (STATE.compareAndSet(this, pending, DONE)) {
          pending.subscriber.onNext(pending.result);
          pending.subscriber.onComplete();
        }
        return;
      } else {
        return;
      }
    }
  }

  @Override
  public final void cancel() {
    while (true) {
      Object s = state;
      if (s == null || s == DONE) {
        return;
      }
      if (STATE.compareAndSet(this, s, DONE)) {
        return;
      }
    }
  }

  /** A result whose subscriber has not requested it yet. */
  private record Pending(CoreSubscriber<? super PublishResult> subscriber, PublishResult result) {
  }

  /** A publish that moves to a slow path when a subscription of the bus matches it. */
  private static final class OnSlowPath extends PublishMono {

    private final Scheduler slowPath;

    OnSlowPath(LocalEventBus bus, Event<Object> event, Scheduler slowPath) {
      super(bus, event);
      this.slowPath = slowPath;
    }

    @Override
    public void subscribe(CoreSubscriber<? super PublishResult> actual) {
      bus.dispatch(event, actual, this, slowPath);
    }
  }
}
