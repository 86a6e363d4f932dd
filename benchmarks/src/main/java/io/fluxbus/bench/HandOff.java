package io.fluxbus.bench;

import io.fluxbus.Event;
import java.util.List;

/**
 * One way of moving events from producer threads to a single consumer thread: Fluxbus's asynchronous
 * subscription, or one of its peers, each wired with the same bounded capacity and the same {@link Receiver}.
 *
 * <p>Where the implementation has a bounded buffer, a producer facing a full buffer waits for room (each in
 * its own idiom: a pending publish {@code Mono}, a yield on {@code FAIL_OVERFLOW}, a blocking {@code put});
 * no event is dropped, so the consumer's count can be compared with what was sent.
 */
interface HandOff extends AutoCloseable {

  /** The names accepted by {@link #create}, in the order reports list them. */
  List<String> IMPLEMENTATIONS = List.of("fluxbus", "sinks", "guava", "vertx", "disruptor", "abq");

  /** A producer's handle; one per producing thread, never shared between threads. */
  interface Sender {

    /** Hands {@code event} over to the consumer, waiting for room if the buffer is full. */
    void send(Event<?> event);
  }

  /** A new sender for the calling thread. */
  Sender newSender();

  /**
   * Fails if the implementation saw an error or lost an event it should have delivered.
   *
   * @throws IllegalStateException describing what went wrong
   */
  default void requireHealthy() {
  }

  /** Stops consumer threads and releases resources; waits a bounded time. */
  @Override
  void close();

  /**
   * Builds and starts the named implementation.
   *
   * @param implementation one of {@link #IMPLEMENTATIONS}
   * @param producers how many threads will send at once; implementations that need a multi-producer mode
   *     for more than one (the Disruptor's {@code ProducerType.MULTI}, a {@code synchronized} Sink) pick it
   * @param capacity the bounded buffer size, a power of two
   * @param receiver called on the consumer thread for every event
   * @throws IllegalArgumentException for an unknown name
   */
  static HandOff create(String implementation, int producers, int capacity, Receiver receiver) {
    return switch (implementation) {
      case "fluxbus" -> new FluxbusHandOff(capacity, receiver);
      case "sinks" -> new SinksHandOff(producers, capacity, receiver);
      case "guava" -> new GuavaHandOff(receiver);
      case "vertx" -> new VertxHandOff(receiver);
      case "disruptor" -> new DisruptorHandOff(producers, capacity, receiver);
      case "abq" -> new BlockingQueueHandOff(capacity, receiver);
      default -> throw new IllegalArgumentException("unknown hand-off implementation '" + implementation
          + "'; known: " + IMPLEMENTATIONS);
    };
  }
}
