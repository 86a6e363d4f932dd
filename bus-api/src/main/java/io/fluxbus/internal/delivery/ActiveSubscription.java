package io.fluxbus.internal.delivery;

import io.fluxbus.Subscription;
import java.util.Optional;
import reactor.core.publisher.Mono;

/** A handler subscription's handle. */
final class ActiveSubscription implements Subscription {

  final LocalEventBus bus;
  final Endpoint endpoint;

  ActiveSubscription(LocalEventBus bus, Endpoint endpoint) {
    this.bus = bus;
    this.endpoint = endpoint;
  }

  @Override
  public String id() {
    return endpoint.id;
  }

  @Override
  public String pattern() {
    return endpoint.pattern.value();
  }

  @Override
  public boolean isAsync() {
    return endpoint.isAsync();
  }

  @Override
  public Optional<String> group() {
    return endpoint.options.group();
  }

  @Override
  public boolean isActive() {
    return bus.isActive(endpoint);
  }

  @Override
  public Mono<Void> cancel() {
    return bus.unsubscribe(this);
  }

  @Override
  public String toString() {
    return "Subscription{id=" + id() + ", pattern=" + pattern() + ", async=" + isAsync() + ", group="
        + group().orElse(null) + ", active=" + isActive() + "}";
  }
}
