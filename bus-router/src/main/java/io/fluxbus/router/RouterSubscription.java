package io.fluxbus.router;

import io.fluxbus.Subscription;
import java.util.List;
import java.util.Optional;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** A handler subscription made on several engines at once; cancelling it cancels every part. */
final class RouterSubscription implements Subscription {

  final EngineRouter router;
  private final String pattern;
  private final List<Subscription> parts;

  RouterSubscription(EngineRouter router, String pattern, List<Subscription> parts) {
    this.router = router;
    this.pattern = pattern;
    this.parts = List.copyOf(parts);
  }

  /** The id of the first part, so lifecycle events of that part name this subscription. */
  @Override
  public String id() {
    return parts.get(0).id();
  }

  @Override
  public String pattern() {
    return pattern;
  }

  @Override
  public boolean isAsync() {
    return parts.get(0).isAsync();
  }

  @Override
  public Optional<String> group() {
    return parts.get(0).group();
  }

  @Override
  public boolean isActive() {
    return parts.stream().anyMatch(Subscription::isActive);
  }

  @Override
  public Mono<Void> cancel() {
    return Flux.fromIterable(parts).concatMap(Subscription::cancel).then();
  }

  @Override
  public String toString() {
    return "RouterSubscription{id=" + id() + ", pattern=" + pattern + ", parts=" + parts + "}";
  }
}
