package io.fluxbus.bench;

import io.fluxbus.Event;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * One {@link HandOff} under test, shared by all producer threads of a trial, and the end-to-end batch that
 * every implementation is measured with.
 *
 * <p>A batch announces {@link #BATCH} events, sends them, then waits until the consumer has counted up to
 * everything announced so far. Events still sitting in a buffer therefore never count as throughput, and a
 * producer can run at most one batch ahead of its consumer, whatever the implementation's buffering.
 */
@State(Scope.Benchmark)
public class HandOffState {

  /** Events per benchmark invocation; each invocation is reported as this many operations. */
  public static final int BATCH = 10_000;
  /** The bounded buffer each implementation gets (ring size, queue capacity, subscription buffer). */
  static final int CAPACITY = 1024;
  private static final Duration BATCH_TIMEOUT = Duration.ofSeconds(30);
  /** Built once and reused: events are immutable, so the benchmark allocates nothing per event. */
  private static final Event<String> EVENT = Event.builder(FluxbusHandOff.TOPIC, "payload").source(Events.SOURCE).build();

  /** Which implementation to measure; see {@link HandOff#IMPLEMENTATIONS}. */
  @Param({"fluxbus", "sinks", "guava", "vertx", "disruptor", "abq"})
  public String impl;

  private final DeliveryCounter counter = new DeliveryCounter();
  private final AtomicLong announced = new AtomicLong();
  private HandOff handOff;

  /** Starts the implementation in the multi-producer mode the trial's thread count needs. */
  @Setup(Level.Trial)
  public void start(BenchmarkParams params) {
    handOff = HandOff.create(impl, params.getThreads(), CAPACITY, counter);
  }

  /** Checks that every event sent was received exactly once, then stops the implementation. */
  @TearDown(Level.Trial)
  public void stop() {
    try {
      long sent = announced.get();
      counter.awaitAtLeast(sent, BATCH_TIMEOUT);
      if (counter.count() != sent) {
        throw new IllegalStateException(impl + " delivered " + counter.count() + " events, " + sent + " were sent");
      }
      handOff.requireHealthy();
    } finally {
      handOff.close();
    }
  }

  /** Sends one batch through {@code producer} and waits until the consumer has caught up with it. */
  void sendBatch(Producer producer) {
    long target = announced.addAndGet(BATCH);
    HandOff.Sender sender = producer.sender;
    for (int i = 0; i < BATCH; i++) {
      sender.send(EVENT);
    }
    counter.awaitAtLeast(target, BATCH_TIMEOUT);
  }

  /** A producer thread's own sender. */
  @State(Scope.Thread)
  public static class Producer {

    HandOff.Sender sender;

    /** Takes a sender from the shared hand-off, once per producer thread. */
    @Setup(Level.Trial)
    public void start(HandOffState state) {
      sender = state.handOff.newSender();
    }
  }
}
