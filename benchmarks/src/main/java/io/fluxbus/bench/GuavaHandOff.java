package io.fluxbus.bench;

import com.google.common.eventbus.AsyncEventBus;
import io.fluxbus.Event;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Guava's {@code AsyncEventBus} over a single-thread executor, with one {@link GuavaListener}.
 *
 * <p>Guava has no bound: the executor's queue grows while the producer runs ahead. The benchmark waits for
 * the consumer's count at the end of each batch, so the backlog cannot inflate the result.
 */
final class GuavaHandOff implements HandOff {

  private final ExecutorService executor = Executors.newSingleThreadExecutor(runnable -> {
    Thread thread = new Thread(runnable, "guava-consumer");
    thread.setDaemon(true);
    return thread;
  });
  private final AsyncEventBus bus = new AsyncEventBus("bench", executor);

  GuavaHandOff(Receiver receiver) {
    bus.register(new GuavaListener(receiver));
  }

  @Override
  public Sender newSender() {
    return bus::post;
  }

  @Override
  public void close() {
    executor.shutdownNow();
    try {
      executor.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
