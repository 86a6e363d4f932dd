package io.fluxbus;

import java.util.Optional;
import reactor.core.publisher.Mono;

/**
 * A handler subscription made with {@code EventBus.subscribe(pattern, handler)} and its variants. Thread-safe.
 */
public interface Subscription {

  /** A unique id, stable for the subscription's life. */
  String id();

  /** The pattern it was made with. */
  String pattern();

  /** True when events are handled on the bus's workers, false when on the publishing thread. */
  boolean isAsync();

  /** The consumer group it competes in, if any. */
  Optional<String> group();

  /** True until it is cancelled or its bus stops. */
  boolean isActive();

  /**
   * Cancels the subscription, the same as {@code bus.unsubscribe(this)}: the bus's bookkeeping
   * ({@code topics()}, {@code subscriberCount}) drops it at once; events still buffered for it are counted as
   * dropped (reason {@code unsubscribed}); a handler already running finishes. Idempotent; lazy (nothing happens
   * until the {@code Mono} is subscribed).
   */
  Mono<Void> cancel();
}
