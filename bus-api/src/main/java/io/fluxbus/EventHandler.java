package io.fluxbus;

import reactor.core.publisher.Mono;

/**
 * Handles one event. The bus subscribes to the returned {@code Mono}; the event counts as handled when it
 * completes. An error (or an exception thrown by {@code handle}) is counted as {@code failed}, reported on
 * {@link EventBus#lifecycle()}, retried per the subscription's {@link RetryPolicy}, then dead-lettered if a
 * dead-letter topic applies; it never reaches the publisher or another subscriber.
 */
@FunctionalInterface
public interface EventHandler {

  /**
   * Handles an event.
   *
   * @param event the event, never null
   * @return completes when the event is handled; never null
   */
  Mono<Void> handle(Event<Object> event);
}
