package io.fluxbus.spi;

import io.fluxbus.EventBus;

/**
 * An engine that publishes events of its own making (dead letters) and can be told to publish them through the
 * bus in front of it, so that a router routes them like any other event. Without that, an engine publishes them
 * on itself.
 */
public interface RoutableEngine {

  /**
   * Publishes the events this engine derives (dead letters) through {@code front} from now on.
   *
   * @param front the bus users publish on, e.g. an {@code EngineRouter}
   */
  void publishDerivedEventsThrough(EventBus front);
}
