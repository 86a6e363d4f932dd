package io.fluxbus.spi;

import io.fluxbus.BusStats;
import io.fluxbus.Event;
import io.fluxbus.EventBus;
import io.fluxbus.EventHandler;
import io.fluxbus.LifecycleEvent;
import io.fluxbus.PublishResult;
import io.fluxbus.SubscribeOptions;
import io.fluxbus.Subscription;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Set;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * An {@link EventBus} that forwards every call to another; engines and decorators (recorders, routers) extend it
 * and override what they change. Thread-safety and errors are the delegate's.
 */
public abstract class ForwardingEventBus implements EventBus, Instrumented, RoutableEngine {

  /** The bus calls are forwarded to. */
  protected abstract EventBus delegate();

  @Override
  public Mono<Void> start() {
    return delegate().start();
  }

  @Override
  public Mono<Void> stop() {
    return delegate().stop();
  }

  @Override
  public Mono<PublishResult> publish(Event<?> event) {
    return delegate().publish(event);
  }

  @Override
  public Mono<PublishResult> publish(String topic, Object payload) {
    return delegate().publish(topic, payload);
  }

  @Override
  public Flux<Event<Object>> subscribe(String pattern) {
    return delegate().subscribe(pattern);
  }

  @Override
  public Flux<Event<Object>> subscribeAsync(String pattern) {
    return delegate().subscribeAsync(pattern);
  }

  @Override
  public <T> Flux<Event<T>> subscribe(String pattern, Class<T> payloadType) {
    return delegate().subscribe(pattern, payloadType);
  }

  @Override
  public <T> Flux<Event<T>> subscribeAsync(String pattern, Class<T> payloadType) {
    return delegate().subscribeAsync(pattern, payloadType);
  }

  @Override
  public <T> Flux<Event<T>> subscribe(String pattern, Class<T> payloadType, SubscribeOptions options) {
    return delegate().subscribe(pattern, payloadType, options);
  }

  @Override
  public Mono<Subscription> subscribe(String pattern, EventHandler handler) {
    return delegate().subscribe(pattern, handler);
  }

  @Override
  public Mono<Subscription> subscribeAsync(String pattern, EventHandler handler) {
    return delegate().subscribeAsync(pattern, handler);
  }

  @Override
  public Mono<Subscription> subscribe(String pattern, SubscribeOptions options, EventHandler handler) {
    return delegate().subscribe(pattern, options, handler);
  }

  @Override
  public Mono<Void> unsubscribe(Subscription subscription) {
    return delegate().unsubscribe(subscription);
  }

  @Override
  public Set<String> topics() {
    return delegate().topics();
  }

  @Override
  public int subscriberCount(String topic) {
    return delegate().subscriberCount(topic);
  }

  @Override
  public BusStats stats() {
    return delegate().stats();
  }

  @Override
  public Flux<LifecycleEvent> lifecycle() {
    return delegate().lifecycle();
  }

  /** Passes the front bus on to the delegate, when it can use one. */
  @Override
  public void publishDerivedEventsThrough(EventBus front) {
    if (delegate() instanceof RoutableEngine engine) {
      engine.publishDerivedEventsThrough(front);
    }
  }

  /** Binds the delegate's meters (through {@code BusMetrics.bind}, which handles any bus). */
  @Override
  public void bindMetrics(MeterRegistry registry) {
    io.fluxbus.BusMetrics.bind(delegate(), registry);
  }
}
