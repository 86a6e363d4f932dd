package io.fluxbus.internal.delivery;

import io.fluxbus.DeadLetterHeaders;
import io.fluxbus.Event;
import io.fluxbus.SubscribeOptions;
import io.fluxbus.TopicPattern;
import io.fluxbus.internal.DeadLetters;
import io.fluxbus.spi.Delivery;
import java.util.Map;
import reactor.core.publisher.Mono;

/**
 * A member of a {@link LocalLogConsumer}: a subscription served from an engine's durable log rather than at publish.
 * It never stands in the publish trie, so the publish-path methods of {@link Endpoint} are never called; the
 * consumer's dispatch loop reserves room ({@link #reserve()}) and hands it events ({@link #take}). It has no
 * buffer and drops nothing: an event it cannot take stays in the log.
 */
abstract class LogEndpoint extends Endpoint {

  /** Set when the member joins its consumer, under the bus's registry lock. */
  volatile LocalLogConsumer consumer;

  LogEndpoint(long seq, String id, TopicPattern pattern, SubscribeOptions options, LocalEventBus bus) {
    super(seq, id, pattern, options, bus);
  }

  /** Completes once the engine reads the log for this member's consumer; signals why it cannot. */
  final Mono<Void> consumerReady() {
    LocalLogConsumer joined = consumer;
    return joined == null ? Mono.empty() : joined.attached();
  }

  /** How many events this member can have in hand at once. */
  abstract int capacity();

  /** Handles an event whose room {@link #reserve()} took; settles {@code delivery} when done. Dispatch loop only. */
  abstract void take(LocalLogConsumer.Pending delivery);

  /** Ends the member after it left its consumer; runs in the consumer's dispatch loop. */
  abstract void finishLeaving();

  /**
   * Counts and reports a last failure, and builds the outcome that tells the engine to dead-letter the event
   * together with its acknowledgement (the engine, not the bus, appends the letter).
   */
  final Delivery.Failed failure(Event<Object> event, Throwable error, int attempts) {
    String reason = bus.outcomes.reportFailure(this, event, error);
    String topic = DeadLetters.topicFor(options, event);
    Event<Object> letter = null;
    if (topic != null) {
      try {
        letter = DeadLetters.letter(event, topic, reason, attempts, failedBy());
      } catch (RuntimeException invalid) {
        bus.outcomes.deadLettered(this, event, "not dead-lettered to '" + topic + "': " + invalid.getMessage());
      }
    }
    return new Delivery.Failed(reason, attempts, letter);
  }

  private Map<String, String> failedBy() {
    return options.group().map(group -> Map.of(DeadLetterHeaders.GROUP, group))
        .orElseGet(() -> Map.of(DeadLetterHeaders.SUBSCRIPTION, id));
  }

  @Override
  final void signal() {
    LocalLogConsumer joined = consumer;
    if (joined != null) {
      joined.signal();
    }
  }

  @Override
  final int tryFast(Event<Object> event) {
    throw new IllegalStateException("log-served subscriptions are not offered events at publish");
  }

  @Override
  final int tryOffer(Event<Object> event, Dispatch dispatch) {
    throw new IllegalStateException("log-served subscriptions are not offered events at publish");
  }

  @Override
  final void acceptReserved(Event<Object> event) {
    throw new IllegalStateException("log-served subscriptions take events through take()");
  }

  @Override
  final int buffered() {
    return 0;
  }
}
