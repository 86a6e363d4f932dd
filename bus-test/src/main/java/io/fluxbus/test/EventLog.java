package io.fluxbus.test;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxbus.Event;
import io.fluxbus.EventHandler;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import reactor.core.publisher.Mono;

/**
 * Records the events a subscriber received, and the threads it received them on. Thread-safe; the lists
 * returned are snapshots in arrival order.
 */
final class EventLog {

  private final List<Event<?>> events = new CopyOnWriteArrayList<>();
  private final List<String> threads = new CopyOnWriteArrayList<>();

  /** A handler that records each event and completes at once. */
  EventHandler handler() {
    return event -> {
      add(event);
      return Mono.empty();
    };
  }

  /** Records an event; usable as a {@code Flux} consumer. */
  void add(Event<?> event) {
    threads.add(Thread.currentThread().getName());
    events.add(event);
  }

  List<Event<?>> events() {
    return List.copyOf(events);
  }

  List<Object> payloads() {
    return events.stream().<Object>map(Event::payload).toList();
  }

  List<String> ids() {
    return events.stream().map(Event::id).toList();
  }

  List<String> threads() {
    return List.copyOf(threads);
  }

  int size() {
    return events.size();
  }

  Event<?> single() {
    assertThat(events).as("events received").hasSize(1);
    return events.get(0);
  }

  /** Waits (bounded) until at least {@code count} events arrived. */
  void awaitSize(int count) {
    ContractPart.eventually().untilAsserted(
        () -> assertThat(events).as("events received so far").hasSizeGreaterThanOrEqualTo(count));
  }
}
