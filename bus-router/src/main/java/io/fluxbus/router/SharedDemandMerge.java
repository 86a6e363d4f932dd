package io.fluxbus.router;

import io.fluxbus.internal.delivery.SharedDemand;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Scannable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

/**
 * Merges one subscription's parts on several engines without a buffer of its own: the subscriber's demand is
 * shared ({@link SharedDemand}, in the parts' context), so together the parts emit no more than was requested and
 * each engine applies its delivery mode when the demand runs out, exactly as for a single-engine subscription.
 * Emissions from several threads are serialized. A part whose engine does not share demand gets the
 * subscriber's requests itself.
 *
 * @param <T> the element type
 */
final class SharedDemandMerge<T> extends Flux<T> implements Scannable {

  private final List<Publisher<? extends T>> parts;

  /** Merges {@code parts}, through Reactor's assembly hooks (debug tracing, {@code checkpoint()}). */
  static <T> Flux<T> of(List<Publisher<? extends T>> parts) {
    return onAssembly(new SharedDemandMerge<>(parts));
  }

  private SharedDemandMerge(List<Publisher<? extends T>> parts) {
    this.parts = List.copyOf(parts);
  }

  @Override
  public Object scanUnsafe(Attr key) {
    if (key == Attr.RUN_STYLE) {
      return Attr.RunStyle.ASYNC;
    }
    return null;
  }

  /** {@code fluxbus.merge(<n> engines)}: the step's name in {@code Scannable} tooling and traces. */
  @Override
  public String stepName() {
    return "fluxbus.merge(" + parts.size() + " engines)";
  }

  @Override
  public void subscribe(CoreSubscriber<? super T> actual) {
    Coordinator<T> coordinator = new Coordinator<>(Operators.serialize(actual), actual.currentContext(),
        parts.size());
    actual.onSubscribe(coordinator);
    for (Publisher<? extends T> part : parts) {
      if (coordinator.cancelled) {
        return;
      }
      int before = coordinator.demand.members();
      Part<T> inner = new Part<>(coordinator);
      part.subscribe(inner);
      inner.sharing = coordinator.demand.members() > before;
    }
  }

  private static final class Coordinator<T> implements Subscription {
    private static final AtomicIntegerFieldUpdater<Coordinator> COMPLETED =
        AtomicIntegerFieldUpdater.newUpdater(Coordinator.class, "completed");

    final CoreSubscriber<? super T> downstream;
    final Context context;
    final SharedDemand demand = new SharedDemand();
    final Part<?>[] parts;
    final int expected;
    int subscribed;
    volatile int completed;
    volatile boolean cancelled;

    Coordinator(CoreSubscriber<? super T> downstream, Context context, int expected) {
      this.downstream = downstream;
      this.context = context.put(SharedDemand.KEY, demand);
      this.parts = new Part<?>[expected];
      this.expected = expected;
    }

    synchronized void add(Part<?> part) {
      parts[subscribed++] = part;
    }

    @Override
    public void request(long n) {
      demand.request(n);
      for (Part<?> part : snapshot()) {
        if (part != null && !part.sharing) {
          part.upstream.request(n);
        }
      }
    }

    @Override
    public void cancel() {
      cancelled = true;
      for (Part<?> part : snapshot()) {
        if (part != null) {
          part.upstream.cancel();
        }
      }
    }

    private synchronized Part<?>[] snapshot() {
      return parts.clone();
    }

    void completedOne() {
      if (COMPLETED.incrementAndGet(this) == expected) {
        downstream.onComplete();
      }
    }

    void failed(Throwable error) {
      cancel();
      downstream.onError(error);
    }
  }

  private static final class Part<T> implements CoreSubscriber<T> {
    private final Coordinator<T> coordinator;
    volatile Subscription upstream;
    volatile boolean sharing = true;

    Part(Coordinator<T> coordinator) {
      this.coordinator = coordinator;
    }

    @Override
    public Context currentContext() {
      return coordinator.context;
    }

    @Override
    public void onSubscribe(Subscription s) {
      upstream = s;
      coordinator.add(this);
      if (coordinator.cancelled) {
        s.cancel();
      }
    }

    @Override
    public void onNext(T t) {
      coordinator.downstream.onNext(t);
    }

    @Override
    public void onError(Throwable t) {
      coordinator.failed(t);
    }

    @Override
    public void onComplete() {
      coordinator.completedOne();
    }
  }
}
