package io.fluxbus.bench;

import io.fluxbus.Event;
import java.io.IOException;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;

/**
 * One-way asynchronous hand-off latency at a paced rate (default 10 000 events/s), reported as p50, p90,
 * p99, p99.9 and max in microseconds. Not a JMH benchmark: JMH times whole invocations, and pacing needs
 * the producer to sleep between sends without that sleep being measured.
 *
 * <p>The producer parks until each send's deadline (one period after the previous deadline, so the rate
 * holds on average even though a park overshoots by tens of microseconds), stamps the time, and sends one
 * pre-built event through the {@link HandOff} under test; the consumer computes the latency on arrival. At
 * 10 k/s the consumer is idle, usually parked, between events, so the figure includes waking it: the cost
 * an event bus pays on a quiet system. Run one implementation per JVM:
 *
 * <pre>
 * java -cp benchmarks.jar io.fluxbus.bench.HandOffLatency --impl fluxbus [--rate 10000] [--warmup 20000]
 *     [--events 50000] [--out results.jsonl]
 * </pre>
 *
 * <p>Prints one JSON object per run (and appends it to {@code --out} when given).
 */
public final class HandOffLatency {

  private static final Event<String> EVENT = Event.builder(FluxbusHandOff.TOPIC, "payload").source(Events.SOURCE).build();

  private HandOffLatency() {
  }

  /** Runs the measurement; see the class comment for the arguments. */
  public static void main(String[] args) throws IOException {
    LatencyRun cli = LatencyRun.parse(args, "fluxbus", 10_000, 20_000, 50_000);
    cli.report(run(cli.impl(), cli.rate(), cli.warmup(), cli.events()));
  }

  static String run(String impl, int rate, int warmup, int events) {
    LatencyRecorder recorder = new LatencyRecorder(warmup, events);
    long total = (long) warmup + events;
    long period = 1_000_000_000L / rate;
    long measuredStart = 0;
    long measuredEnd;
    try (HandOff handOff = HandOff.create(impl, 1, HandOffState.CAPACITY, recorder)) {
      HandOff.Sender sender = handOff.newSender();
      long deadline = System.nanoTime();
      for (long i = 0; i < total; i++) {
        deadline += period;
        long now;
        while (deadline - (now = System.nanoTime()) > 0) {
          LockSupport.parkNanos(deadline - now);
        }
        if (now - deadline > period) {
          deadline = now; // far behind (GC, descheduling): resume the pace rather than send a burst
        }
        if (i == warmup) {
          measuredStart = now;
        }
        while (i - recorder.receivedCount() >= LatencyRecorder.window()) {
          Thread.yield(); // never overwrite a stamp the consumer has yet to read
        }
        recorder.stampSend(i);
        sender.send(EVENT);
      }
      measuredEnd = System.nanoTime();
      long waitUntil = measuredEnd + 10_000_000_000L;
      while (recorder.receivedCount() < total) {
        if (System.nanoTime() > waitUntil) {
          throw new IllegalStateException(impl + " delivered " + recorder.receivedCount() + " of " + total
              + " events within 10 s of the last send");
        }
        LockSupport.parkNanos(100_000);
      }
      handOff.requireHealthy();
    }
    long[] sorted = recorder.sortedLatencies();
    double achievedRate = events / ((measuredEnd - measuredStart) / 1e9);
    return String.format(Locale.ROOT,
        "{\"impl\":\"%s\",\"targetRate\":%d,\"achievedRate\":%.0f,\"events\":%d,"
            + "\"p50_us\":%.2f,\"p90_us\":%.2f,\"p99_us\":%.2f,\"p999_us\":%.2f,\"max_us\":%.2f}",
        impl, rate, achievedRate, events,
        micros(LatencyRecorder.quantile(sorted, 0.50)), micros(LatencyRecorder.quantile(sorted, 0.90)),
        micros(LatencyRecorder.quantile(sorted, 0.99)), micros(LatencyRecorder.quantile(sorted, 0.999)),
        micros(sorted[sorted.length - 1]));
  }

  private static double micros(long nanos) {
    return nanos / 1_000.0;
  }
}
