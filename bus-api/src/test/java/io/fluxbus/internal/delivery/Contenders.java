package io.fluxbus.internal.delivery;

import java.time.Duration;
import java.util.concurrent.CompletionService;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
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

  /**
   * Runs {@code body} with each thread's index (0 until threads) on all threads at once and returns when all have
   * finished; rethrows the first failure as soon as it happens, or fails when some are still running after
   * {@code bound}.
   */
  void race(IntConsumer body, Duration bound) throws Exception {
    CountDownLatch ready = new CountDownLatch(threads);
    Go go = new Go();
    CompletionService<Void> running = new ExecutorCompletionService<>(pool);
    for (int i = 0; i < threads; i++) {
      int index = i;
      running.submit(() -> {
        ready.countDown();
        while (!go.now) {
          Thread.yield();
        }
        body.accept(index);
        return null;
      });
    }
    long deadline = System.nanoTime() + bound.toNanos();
    if (!ready.await(bound.toNanos(), TimeUnit.NANOSECONDS)) {
      throw new TimeoutException("contenders did not start within " + bound);
    }
    go.now = true;
    for (int finished = 0; finished < threads; finished++) {
      Future<Void> next = running.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (next == null) {
        throw new TimeoutException((threads - finished) + " of " + threads + " contenders still running after "
            + bound);
      }
      try {
        next.get();
      } catch (ExecutionException failed) {
        throw failed.getCause() instanceof Exception cause ? cause : failed;
      }
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
