package io.fluxbus.r2dbc;

import static org.awaitility.Awaitility.await;

import io.fluxbus.Event;
import io.fluxbus.EventBus;
import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import reactor.core.publisher.Mono;

/** Helpers for this module's tests: buses on a test schema, a recording subscriber, waiting for a full pass. */
final class TestBuses {

  static final Duration WAIT = Duration.ofSeconds(20);

  private TestBuses() {}

  /** A bus on {@code schema}, its own pool, as if in its own process. */
  static PostgresEventBusBuilder bus(String schema, Duration pollInterval) {
    return PostgresEventBus.builder(PostgresTestServer.url()).schema(schema).pollInterval(pollInterval)
        .poolMaxSize(4).drainTimeout(Duration.ofSeconds(2));
  }

  static PostgresEventBus started(PostgresEventBus bus) {
    bus.start().block(WAIT);
    return bus;
  }

  /** Subscribes a sync handler recording every event on {@code pattern}. */
  static List<Event<Object>> record(EventBus bus, String pattern) {
    List<Event<Object>> events = new CopyOnWriteArrayList<>();
    bus.subscribe(pattern, event -> Mono.fromRunnable(() -> events.add(event))).block(WAIT);
    return events;
  }

  /**
   * Wakes every reader of the bus — its tail, its group members, its replays — and waits until each has caught up in
   * a pass that began after this call: every row committed below the horizon before the call has then been handed
   * on (and, by a group, acknowledged), so an event delivered twice has been delivered twice by then.
   */
  static void awaitFullPass(PostgresEventBus bus) {
    Map<LogFollower, Long> begun = new IdentityHashMap<>();
    for (LogFollower follower : bus.followers()) {
      begun.put(follower, follower.passesStarted());
      follower.wake();
    }
    await().atMost(WAIT).pollInterval(Duration.ofMillis(5))
        .until(() -> begun.entrySet().stream().allMatch(entry -> entry.getKey().lastCaughtUpPass() > entry.getValue()));
  }

  static void stop(EventBus... buses) {
    for (EventBus bus : buses) {
      if (bus != null) {
        bus.stop().block(WAIT);
      }
    }
  }
}
