package io.fluxbus.spi;

import io.fluxbus.internal.delivery.LocalEventBus;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/**
 * An engine's durable log as a {@link LocalEventBus} uses it. A bus built with one serves two kinds of
 * subscriptions from the log instead of at publish: those that name a consumer group (members anywhere compete
 * for each event, acknowledged after handling) and those that start anywhere but at the latest event (they replay
 * the log). For each such group or subscription the bus calls {@link #attach} once, with the
 * {@link LogConsumer} that hands events to its local members.
 */
public interface DurableLog {

  /**
   * Starts reading the log for {@code consumer}: its group's events (creating the group at
   * {@code consumer.options().startFrom()} if it is new, else continuing where the group is), or its replay. The
   * engine hands each matching event to {@link LogConsumer#deliver} and settles it per the {@link Delivery}.
   * Called on the subscribing thread, outside every lock of the bus; must not block.
   *
   * @return completes, once reading is set up so that every event appended afterwards reaches the consumer, with
   *     the handle the bus disposes when the consumer's last member leaves or the bus stops (after which the engine
   *     calls {@code deliver} no more); signals an {@link io.fluxbus.EngineUnavailableException} (or another
   *     {@link io.fluxbus.BusException}) when the log cannot be read, and the subscriptions waiting for it fail
   */
  Mono<Disposable> attach(LogConsumer consumer);
}
