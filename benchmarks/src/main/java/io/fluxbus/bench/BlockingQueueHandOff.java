package io.fluxbus.bench;

import io.fluxbus.Event;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The plain-JDK baseline: an {@code ArrayBlockingQueue} of {@code capacity}, {@code put} by the producers
 * and {@code take}n by one consumer thread.
 */
final class BlockingQueueHandOff implements HandOff {

  private static final Object STOP = new Object();

  private final BlockingQueue<Object> queue;
  private final Thread consumer;
  private volatile Throwable error;

  BlockingQueueHandOff(int capacity, Receiver receiver) {
    queue = new ArrayBlockingQueue<>(capacity);
    consumer = new Thread(() -> consume(receiver), "abq-consumer");
    consumer.setDaemon(true);
    consumer.start();
  }

  private void consume(Receiver receiver) {
    try {
      while (queue.take() != STOP) {
        receiver.received();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException | Error e) {
      error = e;
    }
  }

  @Override
  public Sender newSender() {
    return this::put;
  }

  private void put(Event<?> event) {
    try {
      queue.put(event);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for room in the queue", e);
    }
  }

  @Override
  public void requireHealthy() {
    if (error != null) {
      throw new IllegalStateException("queue consumer failed", error);
    }
  }

  @Override
  public void close() {
    try {
      if (queue.offer(STOP, 10, TimeUnit.SECONDS)) {
        consumer.join(10_000);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
