package io.fluxbus.internal.delivery;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * A fixed set of daemon threads for the stress tests of this package: {@link #race} runs one body on every thread,
 * released together after all of them are ready (a spin start, tighter than a barrier's wake-ups), and returns once
 * all have finished. A body that does not finish within the bound fails the race; its daemon thread cannot keep the
 * test JVM alive.
 */
final class Contenders implements AutoCloseable {

  private final int threads;
  private final ExecutorService pool;

  Contenders(String name, int threads) {
    this.threads = threads;
    AtomicInteger count = new AtomicInteger();
    this.pool = Executors.newFixedThreadPool(threads, body -> {
      Thread thread = new Thread(body, name + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
  }

  /** Runs {@code body} with each thread's index (0 until threads) on all threads at once; rethrows a failure. */
  void race(IntConsumer body, Duration bound) throws Exception {
    CountDownLatch ready = new CountDownLatch(threads);
    Go go = new Go();
    List<Future<?>> running = new ArrayList<>(threads);
    for (int i = 0; i < threads; i++) {
      int index = i;
      running.add(pool.submit(() -> {
        ready.countDown();
        while (!go.now) {
          Thread.yield();
        }
        body.accept(index);
      }));
    }
    long deadline = System.nanoTime() + bound.toNanos();
    if (!ready.await(bound.toNanos(), TimeUnit.NANOSECONDS)) {
      throw new TimeoutException("contenders did not start within " + bound);
    }
    go.now = true;
    for (Future<?> future : running) {
      future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }

  private static final class Go {
    volatile boolean now;
  }
}
