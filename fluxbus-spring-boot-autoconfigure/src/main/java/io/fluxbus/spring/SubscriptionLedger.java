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
 * The bus's active subscriptions: {@code SUBSCRIPTION_CREATED} and {@code SUBSCRIPTION_REMOVED} on
 * {@link EventBus#lifecycle()} give each one's id, pattern, engines, kind and group (the created event's reason),
 * watched from construction (before the bus starts) until {@link #close()}. Thread-safe.
 */
final class SubscriptionLedger implements AutoCloseable {

  /**
   * One active subscription.
   *
   * @param id its id (for a subscription spanning engines, the id of its first part)
   * @param pattern its pattern
   * @param engines the engines it is active on
   * @param kind {@code sync handler}, {@code async handler}, {@code sync flux} or {@code async flux}; null if the
   *     engine did not say
   * @param group its consumer group, or null
   */
  record Entry(String id, String pattern, Set<String> engines, String kind, String group) {}

  private static final String GROUP = ", group ";

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
        String reason = event.reason();
        int at = reason == null ? -1 : reason.indexOf(GROUP);
        String kind = at < 0 ? reason : reason.substring(0, at);
        String group = at < 0 ? null : reason.substring(at + GROUP.length());
        return new Entry(id, event.pattern(), Set.copyOf(engines), kind, group);
      });
    } else {
      active.computeIfPresent(event.subscriptionId(), (id, old) -> {
        Set<String> engines = new LinkedHashSet<>(old.engines());
        engines.remove(engine);
        return engines.isEmpty() ? null : new Entry(id, old.pattern(), Set.copyOf(engines), old.kind(), old.group());
      });
    }
  }

  @Override
  public void close() {
    watch.dispose();
  }
}
