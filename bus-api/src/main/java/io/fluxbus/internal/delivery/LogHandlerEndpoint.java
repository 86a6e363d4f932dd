package io.fluxbus.internal.delivery;

import io.fluxbus.Event;
import io.fluxbus.EventHandler;
import io.fluxbus.SubscribeOptions;
import io.fluxbus.TopicPattern;
import io.fluxbus.spi.Delivery;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A handler subscription served from a durable log: it runs up to {@code concurrency} events at once (one for a
 * sync subscription), each retried per its {@code RetryPolicy}, and settles each once the handler's {@code Mono}
 * completed or failed for the last time. The engine keeps events with the same key in order by handing them over
 * one at a time.
 */
final class LogHandlerEndpoint extends LogEndpoint {

  private final EventHandler handler;
  private final int capacity;
  private final AtomicInteger running = new AtomicInteger();

  LogHandlerEndpoint(long seq, String id, TopicPattern pattern, SubscribeOptions options, LocalEventBus bus,
                     EventHandler handler) {
    super(seq, id, pattern, options, bus);
    this.handler = handler;
    this.capacity = options.isAsync() ? options.concurrency() : 1;
  }

  @Override
  int capacity() {
    return capacity;
  }

  @Override
  boolean reserve() {
    while (true) {
      int now = running.get();
      if (now >= capacity || terminated != null) {
        return false;
      }
      if (running.compareAndSet(now, now + 1)) {
        return true;
      }
    }
  }

  @Override
  void unreserve() {
    running.decrementAndGet();
  }

  @Override
  void take(LocalLogConsumer.Pending delivery) {
    new Run(this, delivery).start(handler);
  }

  @Override
  void finishLeaving() {
    if (running.get() == 0) {
      markFinished();
    }
  }

  @Override
  boolean idle() {
    return running.get() == 0;
  }

  private static final class Run extends HandlerRun {
    private final LocalLogConsumer.Pending delivery;
    private Delivery outcome = Delivery.Handled.INSTANCE;

    Run(LogHandlerEndpoint endpoint, LocalLogConsumer.Pending delivery) {
      super(endpoint, delivery.event());
      this.delivery = delivery;
    }

    @Override
    void failed(Throwable error, int attempts) {
      outcome = ((LogHandlerEndpoint) endpoint).failure(event, error, attempts);
    }

    @Override
    void finished() {
      LogHandlerEndpoint owner = (LogHandlerEndpoint) endpoint;
      delivery.settle(outcome);
      if (owner.running.decrementAndGet() == 0 && owner.terminated != null) {
        owner.markFinished();
      }
      owner.signal();
    }
  }
}
