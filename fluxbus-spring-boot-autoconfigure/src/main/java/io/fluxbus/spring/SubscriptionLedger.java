package io.fluxbus.spring;

import io.fluxbus.EventBus;
import io.fluxbus.LifecycleEvent;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import reactor.core.Disposable;

/**
 * The bus's active subscriptions as far as the public API tells them: {@code SUBSCRIPTION_CREATED} and
 * {@code SUBSCRIPTION_REMOVED} on {@link EventBus#lifecycle()} give each one's id, pattern and engines, watched from
 * construction (before the bus starts) until {@link #close()}. Whether a subscription is async, a {@code Flux} or a
 * handler, and its group, the API does not say; the endpoint adds them for the subscriptions the starter made
 * itself. Thread-safe.
 */
final class SubscriptionLedger implements AutoCloseable {

  /**
   * One active subscription.
   *
   * @param id its id (for a subscription spanning engines, the id of its first part)
   * @param pattern its pattern
   * @param engines the engines it is active on
   */
  record Entry(String id, String pattern, Set<String> engines) {}

  private final Map<String, Entry> active = new ConcurrentHashMap<>();
  private final Disposable watch;

  SubscriptionLedger(EventBus bus) {
    this.watch = bus.lifecycle()
        .filter(e -> e.subscriptionId() != null && (e.type() == LifecycleEvent.Type.SUBSCRIPTION_CREATED
            || e.type() == LifecycleEvent.Type.SUBSCRIPTION_REMOVED))
        .subscribe(this::on);
  }

  /** The active subscriptions, by pattern then id. */
  List<Entry> snapshot() {
    return active.values().stream()
        .sorted(Comparator.comparing(Entry::pattern).thenComparing(Entry::id))
        .toList();
  }

  private void on(LifecycleEvent event) {
    String engine = event.engine() == null ? "bus" : event.engine();
    if (event.type() == LifecycleEvent.Type.SUBSCRIPTION_CREATED) {
      active.compute(event.subscriptionId(), (id, old) -> {
        Set<String> engines = new LinkedHashSet<>(old == null ? Set.of() : old.engines());
        engines.add(engine);
        return new Entry(id, event.pattern(), Set.copyOf(engines));
      });
    } else {
      active.computeIfPresent(event.subscriptionId(), (id, old) -> {
        Set<String> engines = new LinkedHashSet<>(old.engines());
        engines.remove(engine);
        return engines.isEmpty() ? null : new Entry(id, old.pattern(), Set.copyOf(engines));
      });
    }
  }

  @Override
  public void close() {
    watch.dispose();
  }
}
