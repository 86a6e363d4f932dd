package io.fluxbus.internal.delivery;

import io.fluxbus.DeadLetterHeaders;
import io.fluxbus.DropReason;
import io.fluxbus.Event;
import io.fluxbus.EventBus;
import io.fluxbus.LifecycleEvent;
import io.fluxbus.internal.DeadLetters;
import io.fluxbus.internal.Failures;
import io.fluxbus.internal.LifecycleEmitter;
import java.util.Map;
import java.util.function.Supplier;
import reactor.core.publisher.Flux;

/**
 * What became of one bus's events, counted and reported in one place: deliveries and drops ({@link BusCounters}),
 * handler failures, dead letters (published through the bus's front, so a router routes them), and the lifecycle
 * stream. Endpoints report here from any thread; nothing here locks or allocates on the delivery path but the
 * lifecycle event itself, and that only while someone listens.
 */
final class Outcomes {

  final BusCounters counters = new BusCounters();
  private final LifecycleEmitter lifecycle;
  private final Supplier<EventBus> front;

  /** @param front where dead letters are published: the bus, or the router in front of it */
  Outcomes(String engine, Supplier<EventBus> front) {
    this.lifecycle = new LifecycleEmitter(engine);
    this.front = front;
  }

  Flux<LifecycleEvent> lifecycle() {
    return lifecycle.flux();
  }

  void emit(LifecycleEvent.Type type, String pattern, String subscriptionId, String eventId, String reason) {
    lifecycle.emit(type, pattern, subscriptionId, eventId, reason);
  }

  void delivered() {
    counters.delivered.increment();
  }

  void delivered(int count) {
    if (count != 0) {
      counters.delivered.add(count);
    }
  }

  void dropped(Endpoint endpoint, Event<Object> event, DropReason reason) {
    counters.dropped(reason);
    lifecycle.emit(LifecycleEvent.Type.EVENT_DROPPED, endpoint.pattern.value(), endpoint.id, event.id(),
        reason.tag());
  }

  /** A handler or subscriber failed its last attempt: count, report, and dead-letter when a topic applies. */
  void failed(Endpoint endpoint, Event<Object> event, Throwable error, int attempts) {
    String reason = reportFailure(endpoint, event, error);
    String deadLetter = DeadLetters.topicFor(endpoint.options, event);
    if (deadLetter != null) {
      publishDeadLetter(endpoint, event, deadLetter, reason, attempts);
    }
  }

  /** Counts and reports a last failure; returns the error's description. */
  String reportFailure(Endpoint endpoint, Event<Object> event, Throwable error) {
    counters.failed.increment();
    String reason = Failures.describe(error);
    lifecycle.emit(LifecycleEvent.Type.HANDLER_FAILED, endpoint.pattern.value(), endpoint.id, event.id(), reason);
    return reason;
  }

  void deadLettered(Endpoint endpoint, Event<Object> event, String detail) {
    lifecycle.emit(LifecycleEvent.Type.EVENT_DEAD_LETTERED, endpoint.pattern.value(), endpoint.id, event.id(),
        detail);
  }

  /** Publishes the letter for a failure on an in-process subscription through the bus's front. */
  private void publishDeadLetter(Endpoint endpoint, Event<Object> failed, String topic, String error, int attempts) {
    Event<Object> letter;
    try {
      letter = DeadLetters.letter(failed, topic, error, attempts,
          Map.of(DeadLetterHeaders.SUBSCRIPTION, endpoint.id));
    } catch (RuntimeException invalid) {
      deadLettered(endpoint, failed, "not dead-lettered to '" + topic + "': " + invalid.getMessage());
      return;
    }
    front.get().publish(letter).subscribe(
        result -> deadLettered(endpoint, failed, "dead-lettered to '" + topic + "' (" + result.delivered()
            + " subscribers) after " + error),
        publishError -> deadLettered(endpoint, failed, "not dead-lettered to '" + topic + "': "
            + publishError.getMessage()));
  }
}
