package io.fluxbus.bench;

import io.fluxbus.Event;
import io.fluxbus.EventBus;
import io.fluxbus.SubscribeOptions;
import java.time.Duration;
import java.util.function.LongConsumer;
import reactor.core.publisher.Mono;

/**
 * The engine side of a {@link PacedLatency} run: one bus publishes {@code latency.sample}, another (or the same) has
 * a sync handler on it, in the consumer group {@code latency} when asked, that reports each event's send time.
 * Closing stops both buses, then runs the engine's clean-up.
 */
final class BusLatencySide implements PacedLatency.Side {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private final EventBus publisher;
  private final EventBus receiver;
  private final Runnable cleanup;

  private BusLatencySide(EventBus publisher, EventBus receiver, Runnable cleanup) {
    this.publisher = publisher;
    this.receiver = receiver;
    this.cleanup = cleanup;
  }

  /** Starts both buses (not yet started) and subscribes the receiver. */
  static BusLatencySide open(EventBus publisher, EventBus receiver, boolean group, LongConsumer arrived,
                             Runnable cleanup) {
    publisher.start().block(TIMEOUT);
    receiver.start().block(TIMEOUT);
    SubscribeOptions options = group ? SubscribeOptions.defaults().group("latency") : SubscribeOptions.defaults();
    receiver.subscribe("latency.sample", options,
        event -> Mono.fromRunnable(() -> arrived.accept(event.payloadAs(Long.class)))).block(TIMEOUT);
    return new BusLatencySide(publisher, receiver, cleanup);
  }

  @Override
  public void send(long sentNanos) {
    publisher.publish(Event.of("latency.sample", (Object) sentNanos)).subscribe();
  }

  @Override
  public void close() {
    try {
      publisher.stop().block(TIMEOUT);
      receiver.stop().block(TIMEOUT);
    } finally {
      cleanup.run();
    }
  }
}
