package io.fluxbus.spring;

import io.fluxbus.EventBus;
import io.fluxbus.Subscription;
import java.time.Duration;

/**
 * A handler-shaped listener: one handler subscription on the bus, which retries, dead-letters, counts and reports
 * failures itself, per event, as {@link ListenerDefinition#options()} say.
 */
final class HandlerListener implements RunningListener {

  private final ListenerDefinition definition;
  private volatile Subscription subscription;
  private volatile boolean stopping;

  HandlerListener(ListenerDefinition definition) {
    this.definition = definition;
  }

  @Override
  public ListenerDefinition definition() {
    return definition;
  }

  @Override
  public void start(EventBus bus, Duration timeout) {
    stopping = false;
    subscription = bus.subscribe(definition.pattern(), definition.options(), ListenerInvoker.handler(definition))
        .block(timeout);
  }

  @Override
  public void stopping() {
    stopping = true;
  }

  @Override
  public String subscriptionId() {
    Subscription current = subscription;
    return current == null ? null : current.id();
  }

  @Override
  public String state() {
    Subscription current = subscription;
    return current != null && current.isActive() ? "running" : stopping ? "stopped" : "ended";
  }

  @Override
  public long failures() {
    return 0;
  }
}
