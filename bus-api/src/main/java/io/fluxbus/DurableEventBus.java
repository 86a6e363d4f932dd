package io.fluxbus;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import reactor.core.publisher.Mono;

/**
 * An {@link EventBus} backed by a durable log (the {@code redis} engine in streams mode, {@code postgres}): besides
 * publishing and subscribing, it delivers events at a later time and moves consumer groups within the log.
 *
 * <p>On such a bus, subscriptions that name a consumer group, or that start anywhere but at the latest event, are
 * served from the log: a group's members may live in any process, each event goes to one of them, is acknowledged
 * after the handler's {@code Mono} completed and delivered again after a crash (at-least-once), and waits in the
 * log while the group has no member. {@link PublishResult} counts only the subscriptions that took the event at
 * publish, in this process; the log holds it for the rest.
 */
public interface DurableEventBus extends EventBus {

  /**
   * Stores {@code event} to be appended to the log at {@code deliverAt} (at once when that has passed). Lazy. Time
   * and source are filled in as by {@link #publish(Event)}. The event survives restarts of this process; it reaches
   * subscribers when it is appended, within the engine's polling interval of {@code deliverAt}.
   *
   * @return the result once the event is stored: its id, with nothing delivered or dropped yet; signals
   *     {@link BusNotStartedException} unless the bus runs, {@link EngineUnavailableException} when the store
   *     fails (then nothing is stored)
   * @throws NullPointerException at the call if an argument is null
   */
  Mono<PublishResult> publishAt(Event<?> event, Instant deliverAt);

  /**
   * Stores {@code event} to be appended after {@code delay}; see {@link #publishAt}.
   *
   * @throws NullPointerException at the call if an argument is null
   * @throws IllegalArgumentException at the call if the delay is negative
   */
  default Mono<PublishResult> publishAfter(Event<?> event, Duration delay) {
    Objects.requireNonNull(delay, "delay must not be null");
    if (delay.isNegative()) {
      throw new IllegalArgumentException("delay must not be negative, got " + delay);
    }
    return Mono.defer(() -> publishAt(event, Instant.now().plus(delay)));
  }

  /**
   * Moves the consumer group {@code group} on {@code pattern} to {@code position}: {@code earliest} or
   * {@code at(time)} to replay what the log retains, {@code latest} to skip what the group has not read yet. The
   * group's members, wherever they run, continue from there with their next read; events they have in hand are
   * finished first. A group that does not exist yet is created at the position. Lazy.
   *
   * @return completes once the log records the new position; signals {@link BusNotStartedException} unless the
   *     bus runs and {@link EngineUnavailableException} when the log cannot be written
   * @throws InvalidPatternException at the call if the pattern is invalid
   * @throws NullPointerException at the call if an argument is null
   */
  Mono<Void> resetGroup(String group, String pattern, StartPosition position);
}
