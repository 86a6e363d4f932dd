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
 * Asynchronous hand-off, one producer thread to one consumer: events per second, end to end (an event
 * counts once the consumer has seen it).
 *
 * <p>{@code impl=fluxbus} is one {@code subscribeAsync} subscription on the memory engine (buffer 1024,
 * one worker, {@code DeliveryMode.block()}). The peers, each with the same 1024 bound where they have one:
 * {@code sinks} ({@code Sinks.many().multicast().onBackpressureBuffer(1024)} + {@code publishOn}),
 * {@code guava} ({@code AsyncEventBus}), {@code vertx} (local {@code EventBus}), {@code disruptor}
 * ({@code BlockingWaitStrategy}) and {@code abq} ({@code ArrayBlockingQueue}). See {@link HandOffState}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class AsyncHandOffBenchmark {

  /** Sends a batch from one producer and waits for the consumer to count it. */
  @Benchmark
  @Threads(1)
  @OperationsPerInvocation(HandOffState.BATCH)
  public void oneProducer(HandOffState state, HandOffState.Producer producer) {
    state.sendBatch(producer);
  }
}
