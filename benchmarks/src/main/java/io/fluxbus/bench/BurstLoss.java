package io.fluxbus.bench;

import io.fluxbus.DeliveryMode;
import io.fluxbus.Event;
import io.fluxbus.memory.MemoryEventBus;
import java.io.FileWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * A burst into an idle bus: {@code --size} (2000) publishes as fast as one thread can make them, into one async
 * subscription in drop mode whose consumer is parked when the burst starts; how long until the first event reaches
 * the consumer, and how many events the burst loses. Not JMH: each burst must start from an idle, parked consumer.
 *
 * <ul>
 *   <li>{@code fluxbus}: {@code MemoryEventBus.create()} (buffer 256, drop, the default workers), one
 *       {@code subscribeAsync} subscription, {@code publish(event)} subscribed per event; lost = the results'
 *       {@code dropped};</li>
 *   <li>{@code sinks}: {@code Sinks.many().multicast().onBackpressureBuffer(128)} + {@code publishOn} (one thread,
 *       prefetch 128), so the same 256 events fit between producer and consumer; {@code tryEmitNext} once per event,
 *       lost = {@code FAIL_OVERFLOW}s (no retry: that is drop mode).</li>
 * </ul>
 *
 * <p>Between bursts the harness waits until the previous burst is accounted for, then parks {@code --gap-ms} (5)
 * so the consumer thread parks too. The first {@code --warmup} bursts are not reported. Prints one JSON object per
 * implementation (and appends it to {@code --out}):
 *
 * <pre>
 * java -cp benchmarks.jar io.fluxbus.bench.BurstLoss --impl fluxbus [--size 2000] [--bursts 200] [--warmup 100]
 * </pre>
 */
public final class BurstLoss {

  static final String TOPIC = "bench.burst";
  static final int BUFFER = 256;
  private static final Event<String> EVENT = Event.builder(TOPIC, "payload").source(Events.SOURCE).build();
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private BurstLoss() {
  }

  /** The consumer side: counts arrivals and stamps the first of each burst. */
  private static final class Arrivals implements Receiver {
    private volatile long received;
    private volatile long firstArrival;

    @Override
    public void received() {
      if (firstArrival == 0) {
        firstArrival = System.nanoTime();
      }
      received = received + 1;
    }
  }

  /** One burst sender and what it counts as lost. */
  private interface Side extends AutoCloseable {
    /** Publishes {@code size} events; returns how many were refused. */
    long burst(int size);

    @Override
    void close();
  }

  /** Runs the measurement; see the class comment for the arguments. */
  public static void main(String[] args) throws IOException {
    String impl = "fluxbus";
    String out = null;
    int size = 2000;
    int bursts = 200;
    int warmup = 100;
    long gapMillis = 5;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--impl" -> impl = args[i + 1];
        case "--out" -> out = args[i + 1];
        case "--size" -> size = Integer.parseInt(args[i + 1]);
        case "--bursts" -> bursts = Integer.parseInt(args[i + 1]);
        case "--warmup" -> warmup = Integer.parseInt(args[i + 1]);
        case "--gap-ms" -> gapMillis = Long.parseLong(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "'; known: --impl, --out, "
            + "--size, --bursts, --warmup, --gap-ms");
      }
    }
    String line = run(impl, size, bursts, warmup, gapMillis);
    System.out.println(line);
    if (out != null) {
      try (Writer w = new FileWriter(out, StandardCharsets.UTF_8, true)) {
        w.write(line + "\n");
      }
    }
  }

  static String run(String impl, int size, int bursts, int warmup, long gapMillis) {
    Arrivals arrivals = new Arrivals();
    long[] delays = new long[bursts];
    long[] lost = new long[bursts];
    long expected = 0;
    try (Side side = create(impl, arrivals)) {
      for (int b = -warmup; b < bursts; b++) {
        LockSupport.parkNanos(gapMillis * 1_000_000L);
        arrivals.firstArrival = 0;
        long start = System.nanoTime();
        long refused = side.burst(size);
        expected += size - refused;
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (arrivals.received < expected) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException(impl + " received " + arrivals.received + " events, " + expected
                + " were accepted");
          }
          Thread.yield();
        }
        if (arrivals.received != expected) {
          throw new IllegalStateException(impl + " received " + arrivals.received + " events, only " + expected
              + " were accepted");
        }
        if (b >= 0) {
          delays[b] = arrivals.firstArrival - start;
          lost[b] = refused;
        }
      }
    }
    Arrays.sort(delays);
    long[] sortedLost = lost.clone();
    Arrays.sort(sortedLost);
    double meanLost = Arrays.stream(lost).average().orElse(0);
    return String.format(Locale.ROOT,
        "{\"impl\":\"%s\",\"size\":%d,\"bursts\":%d,\"buffer\":%d,\"firstDelivery_p50_us\":%.2f,"
            + "\"firstDelivery_p90_us\":%.2f,\"lost_mean\":%.1f,\"lost_p50\":%d,\"lost_max\":%d}",
        impl, size, bursts, BUFFER, LatencyRecorder.quantile(delays, 0.50) / 1e3,
        LatencyRecorder.quantile(delays, 0.90) / 1e3, meanLost, LatencyRecorder.quantile(sortedLost, 0.50),
        sortedLost[sortedLost.length - 1]);
  }

  private static Side create(String impl, Arrivals arrivals) {
    return switch (impl) {
      case "fluxbus" -> fluxbus(arrivals);
      case "sinks" -> sinks(arrivals);
      default -> throw new IllegalArgumentException("unknown burst implementation '" + impl
          + "'; known: fluxbus, sinks");
    };
  }

  private static Side fluxbus(Arrivals arrivals) {
    MemoryEventBus bus = MemoryEventBus.builder().bufferSize(BUFFER).deliveryMode(DeliveryMode.drop()).build();
    bus.start().block(TIMEOUT);
    ReceivingSubscriber<Event<Object>> subscriber = new ReceivingSubscriber<>(arrivals);
    bus.subscribeAsync(TOPIC).subscribe(subscriber);
    Readiness.awaitSubscribers(bus, TOPIC, 1, TIMEOUT);
    PublishAwaiter awaiter = new PublishAwaiter();
    return new Side() {
      @Override
      public long burst(int size) {
        long before = awaiter.dropped();
        for (int i = 0; i < size; i++) {
          awaiter.publish(bus.publish(EVENT));
        }
        return awaiter.dropped() - before;
      }

      @Override
      public void close() {
        subscriber.requireNoError();
        subscriber.cancel();
        bus.stop().block(TIMEOUT);
      }
    };
  }

  private static Side sinks(Arrivals arrivals) {
    Sinks.Many<Event<?>> sink = Sinks.many().multicast().onBackpressureBuffer(BUFFER / 2, false);
    Scheduler consumer = Schedulers.newSingle("sinks-consumer", true);
    ReceivingSubscriber<Event<?>> subscriber = new ReceivingSubscriber<>(arrivals);
    sink.asFlux().publishOn(consumer, BUFFER / 2).subscribe(subscriber);
    return new Side() {
      @Override
      public long burst(int size) {
        long refused = 0;
        for (int i = 0; i < size; i++) {
          Sinks.EmitResult result = sink.tryEmitNext(EVENT);
          if (result == Sinks.EmitResult.FAIL_OVERFLOW) {
            refused++;
          } else if (result != Sinks.EmitResult.OK) {
            throw new IllegalStateException("sink refused an event: " + result);
          }
        }
        return refused;
      }

      @Override
      public void close() {
        subscriber.requireNoError();
        subscriber.cancel();
        consumer.dispose();
      }
    };
  }
}
