package io.fluxbus.internal.delivery;

import io.fluxbus.Event;
import io.fluxbus.SubscribeOptions;
import io.fluxbus.TopicPattern;
import reactor.core.CoreSubscriber;
import reactor.core.Scannable;
import reactor.core.publisher.Flux;

/**
 * A subscription as a cold {@code Flux}: each subscriber gets its own endpoint, registered once its
 * {@code onSubscribe} has returned and removed when it cancels.
 */
final class SubscriptionFlux extends Flux<Event<Object>> implements Scannable {

  private final LocalEventBus bus;
  private final TopicPattern pattern;
  private final Class<?> payloadType;
  private final SubscribeOptions options;

  /** A new subscription's {@code Flux}, through Reactor's assembly hooks. */
  static Flux<Event<Object>> create(LocalEventBus bus, TopicPattern pattern, Class<?> payloadType,
                                    SubscribeOptions options) {
    return onAssembly(new SubscriptionFlux(bus, pattern, payloadType, options));
  }

  private SubscriptionFlux(LocalEventBus bus, TopicPattern pattern, Class<?> payloadType, SubscribeOptions options) {
    this.bus = bus;
    this.pattern = pattern;
    this.payloadType = payloadType;
    this.options = options;
  }

  @Override
  public void subscribe(CoreSubscriber<? super Event<Object>> actual) {
    bus.subscribeFlux(pattern, payloadType, options, actual);
  }

  @Override
  public Object scanUnsafe(Attr key) {
    if (key == Attr.RUN_STYLE) {
      return options.isAsync() ? Attr.RunStyle.ASYNC : Attr.RunStyle.SYNC;
    }
    if (key == Attr.PREFETCH && options.isAsync()) {
      return options.bufferSize().orElse(0);
    }
    return null;
  }

  /** {@code fluxbus.subscribe(<pattern>)}: the step's name in {@code Scannable} tooling and traces. */
  @Override
  public String stepName() {
    return "fluxbus.subscribe(" + pattern.value() + ")";
  }
}
