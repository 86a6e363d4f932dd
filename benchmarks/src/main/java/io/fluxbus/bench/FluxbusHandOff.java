package io.fluxbus.bench;

import io.fluxbus.DeliveryMode;
import io.fluxbus.Event;
import io.fluxbus.EventBus;
import io.fluxbus.memory.MemoryEventBus;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Fluxbus's memory engine with one asynchronous subscription: its own bounded buffer of {@code capacity},
 * drained on one worker, and {@code DeliveryMode.block()} so that a full buffer holds the publisher back
 * (without parking a thread inside the bus) instead of dropping.
 */
final class FluxbusHandOff implements HandOff {

  static final String TOPIC = "bench.handoff";
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final EventBus bus;
  private final ReceivingSubscriber<Event<Object>> subscriber;
  private final Queue<PublishAwaiter> awaiters = new ConcurrentLinkedQueue<>();

  FluxbusHandOff(int capacity, Receiver receiver) {
    bus = MemoryEventBus.builder()
        .bufferSize(capacity)
        .workers(1)
        .deliveryMode(DeliveryMode.block())
        .build();
    bus.start().block(TIMEOUT);
    subscriber = new ReceivingSubscriber<>(receiver);
    bus.subscribeAsync(TOPIC).subscribe(subscriber);
    Readiness.awaitSubscribers(bus, TOPIC, 1, TIMEOUT);
  }

  @Override
  public Sender newSender() {
    PublishAwaiter awaiter = new PublishAwaiter();
    awaiters.add(awaiter);
    return event -> awaiter.publish(bus.publish(event));
  }

  @Override
  public void requireHealthy() {
    subscriber.requireNoError();
    long dropped = awaiters.stream().mapToLong(PublishAwaiter::dropped).sum();
    if (dropped != 0) {
      throw new IllegalStateException("fluxbus dropped " + dropped + " events in block mode");
    }
  }

  @Override
  public void close() {
    subscriber.cancel();
    bus.stop().block(TIMEOUT);
  }
}
