package io.fluxbus.bench;

import io.fluxbus.Event;
import io.fluxbus.memory.MemoryEventBus;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import java.time.Duration;
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

/**
 * What observation costs a sync publish to one sync subscriber, by registry: {@code none} (built without one),
 * {@code noop} ({@code ObservationRegistry.NOOP}), {@code empty} (a registry with no handler yet), {@code observed}
 * (a handler that does nothing: the observations' own cost, without a tracer's). Run with {@code -prof gc}: the
 * first two must allocate exactly what {@link SyncPublishBenchmark#fluxbus} does.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ObservedPublishBenchmark {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final String TOPIC = "bench.observed";
  private static final Event<Object> EVENT = Event.of(TOPIC, (Object) "payload");
  static final int BATCH = 1_000;

  /** One bus with one sync subscriber, observed as {@link #registry} says. */
  @State(Scope.Thread)
  public static class Side {

    /** Which registry the bus is built with. */
    @Param({"none", "noop", "empty", "observed"})
    public String registry;

    private final DeliveryCounter counter = new DeliveryCounter();
    private final PublishAwaiter awaiter = new PublishAwaiter();
    private ReceivingSubscriber<Event<Object>> subscriber;
    private MemoryEventBus bus;
    private long published;

    /** Builds and starts the bus, subscribes. */
    @Setup(Level.Trial)
    public void start() {
      MemoryEventBus.Builder builder = MemoryEventBus.builder();
      switch (registry) {
        case "none" -> { }
        case "noop" -> builder.observationRegistry(ObservationRegistry.NOOP);
        case "empty" -> builder.observationRegistry(ObservationRegistry.create());
        case "observed" -> {
          ObservationRegistry observed = ObservationRegistry.create();
          observed.observationConfig().observationHandler(new ObservationHandler<Observation.Context>() {
            @Override
            public boolean supportsContext(Observation.Context context) {
              return true;
            }
          });
          builder.observationRegistry(observed);
        }
        default -> throw new IllegalArgumentException("registry " + registry);
      }
      bus = builder.build();
      bus.start().block(TIMEOUT);
      subscriber = new ReceivingSubscriber<>(counter);
      bus.subscribe(TOPIC).subscribe(subscriber);
      Readiness.awaitSubscribers(bus, TOPIC, 1, TIMEOUT);
    }

    /** Checks every event arrived, then stops the bus. */
    @TearDown(Level.Trial)
    public void stop() {
      try {
        subscriber.requireNoError();
        Checks.requireDelivered("fluxbus " + registry, counter.count(), published, awaiter.dropped());
      } finally {
        subscriber.cancel();
        bus.stop().block(TIMEOUT);
      }
    }
  }

  /** Publish, subscribe to the result, repeat. */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void publish(Side side) {
    MemoryEventBus bus = side.bus;
    PublishAwaiter awaiter = side.awaiter;
    for (int i = 0; i < BATCH; i++) {
      awaiter.publish(bus.publish(EVENT));
    }
    side.published += BATCH;
  }
}
