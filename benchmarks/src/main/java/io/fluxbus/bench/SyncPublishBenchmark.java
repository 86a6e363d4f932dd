package io.fluxbus.bench;

import com.google.common.eventbus.EventBus;
import io.fluxbus.Event;
import io.fluxbus.memory.MemoryEventBus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import reactor.core.publisher.Sinks;

/**
 * Synchronous delivery on the publishing thread, to 1 subscriber and fanned out to 4: events published per
 * second.
 *
 * <ul>
 *   <li>{@code fluxbus}: {@code bus.publish(event)} subscribed once per event, with sync {@code Flux}
 *       subscriptions (unbounded demand) on the exact topic;</li>
 *   <li>{@code sinksDirectBestEffort}: {@code tryEmitNext} on a safe
 *       {@code Sinks.many().multicast().directBestEffort()}, the ceiling for sync fan-out in Reactor;</li>
 *   <li>{@code guavaEventBus}: {@code EventBus.post} to {@link GuavaListener}s.</li>
 * </ul>
 *
 * <p>All three call the same {@link DeliveryCounter} per delivered event and reuse one pre-built event, so
 * {@code -prof gc}'s {@code gc.alloc.rate.norm} is what each bus allocates per publish. The event carries its
 * source ({@link Events#SOURCE}), as an application that names its service on each event does, so Fluxbus has
 * nothing to stamp; {@code fluxbusSourceless} measures the stamping copy, and {@code fluxbusTryPublish} the eager
 * path.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class SyncPublishBenchmark {

  /** Publishes per invocation; amortizes JMH's own per-call cost, which is not negligible at 50 M/s. */
  static final int BATCH = 1_000;
  static final String TOPIC = "bench.sync";
  private static final Event<String> EVENT = Event.builder(TOPIC, "payload").source(Events.SOURCE).build();
  /** Without a source: the bus stamps its own on a copy, every publish. */
  private static final Event<String> SOURCELESS = Event.of(TOPIC, "payload");
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  /** How many subscribers every event goes to. */
  @State(Scope.Benchmark)
  public static class FanOut {

    /** Subscribers per event. */
    @Param({"1", "4"})
    public int subscribers;
  }

  /** Fluxbus memory engine with {@code subscribers} sync subscriptions on {@link #TOPIC}. */
  @State(Scope.Thread)
  public static class FluxbusSide {

    private final DeliveryCounter counter = new DeliveryCounter();
    private final List<ReceivingSubscriber<Event<Object>>> subscriptions = new ArrayList<>();
    private final PublishAwaiter awaiter = new PublishAwaiter();
    private MemoryEventBus bus;
    private int subscribers;
    private long published;

    /** Starts the bus and subscribes. */
    @Setup(Level.Trial)
    public void start(FanOut fanOut) {
      subscribers = fanOut.subscribers;
      bus = MemoryEventBus.create();
      bus.start().block(TIMEOUT);
      for (int i = 0; i < subscribers; i++) {
        ReceivingSubscriber<Event<Object>> subscriber = new ReceivingSubscriber<>(counter);
        bus.subscribe(TOPIC).subscribe(subscriber);
        subscriptions.add(subscriber);
      }
      Readiness.awaitSubscribers(bus, TOPIC, subscribers, TIMEOUT);
    }

    /** Checks every subscriber got every event, then stops the bus. */
    @TearDown(Level.Trial)
    public void stop() {
      try {
        subscriptions.forEach(ReceivingSubscriber::requireNoError);
        Checks.requireDelivered("fluxbus", counter.count(), published * subscribers, awaiter.dropped());
      } finally {
        subscriptions.forEach(ReceivingSubscriber::cancel);
        bus.stop().block(TIMEOUT);
      }
    }
  }

  /** A safe directBestEffort multicast sink with {@code subscribers} subscribers. */
  @State(Scope.Thread)
  public static class SinksSide {

    private final DeliveryCounter counter = new DeliveryCounter();
    private final List<ReceivingSubscriber<Event<?>>> subscriptions = new ArrayList<>();
    private final Sinks.Many<Event<?>> sink = Sinks.many().multicast().directBestEffort();
    private int subscribers;
    private long published;
    private long refused;

    /** Subscribes. */
    @Setup(Level.Trial)
    public void start(FanOut fanOut) {
      subscribers = fanOut.subscribers;
      for (int i = 0; i < subscribers; i++) {
        ReceivingSubscriber<Event<?>> subscriber = new ReceivingSubscriber<>(counter);
        sink.asFlux().subscribe(subscriber);
        subscriptions.add(subscriber);
      }
    }

    /** Checks every subscriber got every event. */
    @TearDown(Level.Trial)
    public void stop() {
      subscriptions.forEach(ReceivingSubscriber::requireNoError);
      subscriptions.forEach(ReceivingSubscriber::cancel);
      Checks.requireDelivered("sinks", counter.count(), published * subscribers, refused);
    }
  }

  /** Guava's synchronous {@code EventBus} with {@code subscribers} listeners. */
  @State(Scope.Thread)
  public static class GuavaSide {

    private final DeliveryCounter counter = new DeliveryCounter();
    private final EventBus bus = new EventBus("bench");
    private int subscribers;
    private long published;

    /** Registers the listeners. */
    @Setup(Level.Trial)
    public void start(FanOut fanOut) {
      subscribers = fanOut.subscribers;
      for (int i = 0; i < subscribers; i++) {
        bus.register(new GuavaListener(counter));
      }
    }

    /** Checks every listener got every event. */
    @TearDown(Level.Trial)
    public void stop() {
      Checks.requireDelivered("guava", counter.count(), published * subscribers, 0);
    }
  }

  /** Fluxbus: publish, subscribe to the result, repeat. */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void fluxbus(FluxbusSide side) {
    MemoryEventBus bus = side.bus;
    PublishAwaiter awaiter = side.awaiter;
    for (int i = 0; i < BATCH; i++) {
      awaiter.publish(bus.publish(EVENT));
    }
    side.published += BATCH;
  }

  /**
   * Fluxbus, the eager path for hot loops: {@code tryPublish}, no {@code Mono}; the result is read (its dropped
   * count) and not kept, which lets the JIT remove it.
   */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void fluxbusTryPublish(FluxbusSide side) {
    MemoryEventBus bus = side.bus;
    long dropped = 0;
    for (int i = 0; i < BATCH; i++) {
      dropped += bus.tryPublish(EVENT).dropped();
    }
    side.awaiter.addDropped(dropped);
    side.published += BATCH;
  }

  /** Fluxbus {@code publish} of an event without a source: what stamping the bus's source on a copy costs. */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void fluxbusSourceless(FluxbusSide side) {
    MemoryEventBus bus = side.bus;
    PublishAwaiter awaiter = side.awaiter;
    for (int i = 0; i < BATCH; i++) {
      awaiter.publish(bus.publish(SOURCELESS));
    }
    side.published += BATCH;
  }

  /** The Reactor ceiling: emit straight into a multicast sink. */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void sinksDirectBestEffort(SinksSide side) {
    Sinks.Many<Event<?>> sink = side.sink;
    long refused = 0;
    for (int i = 0; i < BATCH; i++) {
      if (sink.tryEmitNext(EVENT) != Sinks.EmitResult.OK) {
        refused++;
      }
    }
    side.refused += refused;
    side.published += BATCH;
  }

  /** Guava: post to the synchronous bus. */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void guavaEventBus(GuavaSide side) {
    EventBus bus = side.bus;
    for (int i = 0; i < BATCH; i++) {
      bus.post(EVENT);
    }
    side.published += BATCH;
  }
}
