package io.fluxbus.examples.gateway;

import io.fluxbus.EventBus;
import io.fluxbus.LifecycleEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

/**
 * Counts, per event stream, the events the bus dropped for it, so the stream can tell its client
 * ({@code event: dropped}). The bus reports drops on {@link EventBus#lifecycle()} by subscription id; a stream
 * learns its subscriptions' ids from the {@code SUBSCRIPTION_CREATED} events emitted while it subscribes, on the
 * subscribing thread, as the engines in this repository do. An engine that registers a subscription later, on
 * another thread, goes uncounted: its drops still show in {@code /stats} and the metrics, not in the stream.
 * Thread-safe.
 */
final class StreamLosses {

  private final Map<String, AtomicLong> missedBySubscription = new ConcurrentHashMap<>();
  private final ThreadLocal<List<String>> subscribing = new ThreadLocal<>();
  private volatile Disposable watching;

  /** Follows the bus's subscription and drop events until {@link #stop()}. */
  void watch(EventBus bus) {
    watching = bus.lifecycle().subscribe(event -> {
      if (event.type() == LifecycleEvent.Type.SUBSCRIPTION_CREATED) {
        List<String> ids = subscribing.get();
        if (ids != null) {
          ids.add(event.subscriptionId());
        }
      } else if (event.type() == LifecycleEvent.Type.EVENT_DROPPED && event.subscriptionId() != null) {
        AtomicLong missed = missedBySubscription.get(event.subscriptionId());
        if (missed != null) {
          missed.incrementAndGet();
        }
      }
    });
  }

  void stop() {
    Disposable current = watching;
    if (current != null) {
      current.dispose();
    }
  }

  /**
   * The stream {@code events}, whose bus subscriptions' drops are added to {@code missed} from when it is
   * subscribed until it terminates or is cancelled.
   */
  <T> Flux<T> counting(Flux<T> events, AtomicLong missed) {
    List<String> ids = new ArrayList<>();
    Flux<T> learningIds = new Flux<>() {
      @Override
      public void subscribe(CoreSubscriber<? super T> actual) {
        subscribing.set(ids);
        try {
          events.subscribe(actual);
        } finally {
          subscribing.remove();
          ids.forEach(id -> missedBySubscription.put(id, missed));
        }
      }
    };
    return learningIds.doFinally(signal -> ids.forEach(missedBySubscription::remove));
  }
}
