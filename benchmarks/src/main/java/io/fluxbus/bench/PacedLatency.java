package io.fluxbus.bench;

import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;
import java.util.concurrent.locks.LockSupport;

/**
 * The harness of the durable engines' publish-to-handler latency runs ({@link RedisLatency},
 * {@link PostgresLatency}): sends at a paced rate, each event carrying the sender's {@code System.nanoTime()}, and
 * the receiving side, in the same JVM and so on the same clock, reports the difference on arrival. The first
 * {@code --warmup} arrivals are not recorded; quantiles are nearest-rank over every recorded sample. Prints one JSON
 * line, {@code {"impl":…,"rate":…,"events":…,"p50_us":…,"p90_us":…,"p99_us":…,"max_us":…}}, and appends it to
 * {@code --out} when given.
 */
final class PacedLatency {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  /** A publisher and a receiver of one kind, connected. */
  interface Side extends AutoCloseable {

    /** Sends one event carrying {@code sentNanos}; does not wait for the receiver. */
    void send(long sentNanos);

    @Override
    void close();
  }

  /** Opens the side named {@code impl}, whose receiver calls {@code arrived} with each event's send time. */
  interface Sides {
    Side open(String impl, LongConsumer arrived);
  }

  private final long[] latencies;
  private final int warmup;
  private final AtomicInteger received = new AtomicInteger();

  private PacedLatency(int warmup, int events) {
    this.warmup = warmup;
    this.latencies = new long[events];
  }

  /**
   * Parses {@code --impl NAME [--rate N] [--warmup N] [--events N] [--out FILE]} (defaults given), measures, prints
   * and exits.
   */
  static void main(String[] args, String impl, int rate, int warmup, int events, Sides sides) throws IOException {
    LatencyRun cli = LatencyRun.parse(args, impl, rate, warmup, events);
    cli.report(new PacedLatency(cli.warmup(), cli.events()).run(cli.impl(), cli.rate(), sides));
    System.exit(0);
  }

  private void arrived(long sentNanos) {
    long latency = System.nanoTime() - sentNanos;
    int index = received.getAndIncrement() - warmup;
    if (index >= 0 && index < latencies.length) {
      latencies[index] = latency;
    }
  }

  private String run(String impl, int rate, Sides sides) {
    int total = warmup + latencies.length;
    try (Side side = sides.open(impl, this::arrived)) {
      long period = 1_000_000_000L / rate;
      long deadline = System.nanoTime();
      for (int i = 0; i < total; i++) {
        deadline += period;
        long now;
        while (deadline - (now = System.nanoTime()) > 0) {
          LockSupport.parkNanos(deadline - now);
        }
        side.send(System.nanoTime());
      }
      long waitUntil = System.nanoTime() + TIMEOUT.toNanos();
      while (received.get() < total) {
        if (System.nanoTime() > waitUntil) {
          throw new IllegalStateException(impl + " delivered " + received.get() + " of " + total + " events");
        }
        LockSupport.parkNanos(1_000_000);
      }
    }
    long[] sorted = latencies.clone();
    Arrays.sort(sorted);
    return String.format(Locale.ROOT,
        "{\"impl\":\"%s\",\"rate\":%d,\"events\":%d,\"p50_us\":%.1f,\"p90_us\":%.1f,\"p99_us\":%.1f,"
            + "\"max_us\":%.1f}",
        impl, rate, latencies.length, micros(LatencyRecorder.quantile(sorted, 0.5)),
        micros(LatencyRecorder.quantile(sorted, 0.9)), micros(LatencyRecorder.quantile(sorted, 0.99)),
        micros(sorted[sorted.length - 1]));
  }

  private static double micros(long nanos) {
    return nanos / 1_000.0;
  }
}
