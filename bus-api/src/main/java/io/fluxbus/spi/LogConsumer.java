package io.fluxbus.spi;

import io.fluxbus.Event;
import io.fluxbus.SubscribeOptions;
import io.fluxbus.TopicPattern;
import java.util.Optional;
import reactor.core.publisher.Mono;

/**
 * The local members of one subscription served from a {@link DurableLog}: a consumer group (every subscription on
 * this bus with the same group name and pattern) or one replaying subscription. The engine reads the log and hands
 * each matching event to {@link #deliver}, which gives it to one member with room (members take turns) and
 * completes with the {@link Delivery} the engine settles the event by.
 *
 * <p>Members run on the bus's workers, never on the engine's threads. The consumer keeps no buffer of its own
 * beyond what the engine hands it: the engine decides how many events are in hand at once (see
 * {@link #concurrency()}) and keeps events with the same key in order by handing them over one at a time. Every
 * method is thread-safe. The core implements this interface; engines are handed it by {@link DurableLog#attach}.
 */
public interface LogConsumer {

  /** The consumer group, or empty for a single replaying subscription. */
  Optional<String> group();

  /** The pattern the members subscribed; the engine delivers only events whose topic it matches. */
  TopicPattern pattern();

  /**
   * The first member's options: where a new group or a replay starts ({@code startFrom}); each member's own retry
   * policy and dead-letter topic apply to the events it handles.
   */
  SubscribeOptions options();

  /** A name for the consumer, unique on its bus: the group and pattern, or the subscription's id. */
  String id();

  /**
   * How many events the members can have in hand at once now: each handler member its concurrency (1 when sync),
   * each {@code Flux} member one; 0 once every member has left.
   */
  int concurrency();

  /** True once the last member left or the bus began to stop: {@link #deliver} returns everything. */
  boolean isClosed();

  /**
   * Hands {@code event} to one member; lazy, as every Reactor publisher. Waits (no thread waits) until a member
   * has room. Never signals an error: a failing handler is a {@link Delivery.Failed}.
   *
   * @return the outcome: {@link Delivery.Handled}, {@link Delivery.Failed} (counted and reported; the engine
   *     appends the letter with its acknowledgement), or {@link Delivery.Returned} when the consumer closed first.
   *     Cancelling it before a member took the event withdraws the event.
   */
  Mono<Delivery> deliver(Event<Object> event);

  /** Reports on {@code lifecycle()} that the engine dead-lettered (or failed to dead-letter) an event. */
  void deadLettered(String eventId, String detail);
}
