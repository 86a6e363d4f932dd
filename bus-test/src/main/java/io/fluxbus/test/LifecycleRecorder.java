package io.fluxbus.test;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxbus.EventBus;
import io.fluxbus.LifecycleEvent;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Predicate;
import reactor.core.Disposable;

/**
 * Listens to a bus's {@link EventBus#lifecycle()} from creation until disposed, with unbounded demand, and
 * records every event and whether the stream terminated. Thread-safe.
 */
final class LifecycleRecorder implements Disposable {

  private final Queue<LifecycleEvent> events = new ConcurrentLinkedQueue<>();
  private final Disposable subscription;
  private volatile String termination;

  LifecycleRecorder(EventBus bus) {
    subscription = bus.lifecycle().subscribe(events::add,
        error -> termination = "error: " + error,
        () -> termination = "completed");
  }

  List<LifecycleEvent> events() {
    return List.copyOf(events);
  }

  List<LifecycleEvent> ofType(LifecycleEvent.Type type) {
    return events.stream().filter(event -> event.type() == type).toList();
  }

  /** Null while the lifecycle stream is live, else how it ended. */
  String termination() {
    return termination;
  }

  /** Waits (bounded) for an event of {@code type} that satisfies {@code condition}, and returns the first. */
  LifecycleEvent await(LifecycleEvent.Type type, Predicate<LifecycleEvent> condition) {
    ContractPart.eventually().untilAsserted(() -> assertThat(events())
        .as("lifecycle events, looking for %s", type)
        .anyMatch(event -> event.type() == type && condition.test(event)));
    return ofType(type).stream().filter(condition).findFirst().orElseThrow();
  }

  /** Waits (bounded) until exactly {@code count} events of {@code type} satisfy {@code condition}. */
  void awaitCount(LifecycleEvent.Type type, Predicate<LifecycleEvent> condition, int count) {
    ContractPart.eventually().untilAsserted(() -> assertThat(ofType(type).stream().filter(condition).toList())
        .as("%s lifecycle events among %s", type, events())
        .hasSize(count));
  }

  @Override
  public void dispose() {
    subscription.dispose();
  }

  @Override
  public boolean isDisposed() {
    return subscription.isDisposed();
  }
}
