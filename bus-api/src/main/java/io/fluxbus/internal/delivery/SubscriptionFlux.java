package io.fluxbus.internal.delivery;

import io.fluxbus.Event;
import io.fluxbus.SubscribeOptions;
import io.fluxbus.TopicPattern;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;

/**
 * A subscription as a cold {@code Flux}: each subscriber gets its own endpoint, registered once its
 * {@code onSubscribe} has returned and removed when it cancels.
 */
final class SubscriptionFlux extends Flux<Event<Object>> {

  private final LocalEventBus bus;
  private final TopicPattern pattern;
  private final Class<?> payloadType;
  private final SubscribeOptions options;

  SubscriptionFlux(LocalEventBus bus, TopicPattern pattern, Class<?> payloadType, SubscribeOptions options) {
    this.bus = bus;
    this.pattern = pattern;
    this.payloadType = payloadType;
    this.options = options;
  }

  @Override
  public void subscribe(CoreSubscriber<? super Event<Object>> actual) {
    bus.subscribeFlux(pattern, payloadType, options, actual);
  }
}
