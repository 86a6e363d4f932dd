package io.fluxbus.spi;

import io.fluxbus.Event;
import io.fluxbus.PublishResult;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;

/**
 * The lazy publish: each subscription runs one publish of the event. Nothing happens before that.
 */
final class PublishMono extends Mono<PublishResult> {

  private final LocalEventBus bus;
  private final Event<Object> event;

  PublishMono(LocalEventBus bus, Event<Object> event) {
    this.bus = bus;
    this.event = event;
  }

  @Override
  public void subscribe(CoreSubscriber<? super PublishResult> actual) {
    bus.dispatch(event, actual);
  }
}
