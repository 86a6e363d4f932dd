package io.fluxbus.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Two producer threads publishing at once into one asynchronous subscription: total events per second, end
 * to end. This is where a single serialization gate hurts: a safe Reactor Sink fails concurrent emitters with
 * {@code FAIL_NON_SERIALIZED}, so its peer here ({@code impl=sinks}) wraps every emit in {@code synchronized}
 * and never retries; the Disruptor runs {@code ProducerType.MULTI}. Fluxbus publishes concurrently with no
 * lock. See {@link HandOffState} and {@link AsyncHandOffBenchmark} for the set-up.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class ContendedHandOffBenchmark {

  /** Each of the two threads sends a batch and waits for the consumer to catch up. */
  @Benchmark
  @Threads(2)
  @OperationsPerInvocation(HandOffState.BATCH)
  public void twoProducers(HandOffState state, HandOffState.Producer producer) {
    state.sendBatch(producer);
  }
}
