package io.fluxbus.internal.delivery;

import io.fluxbus.Event;
import io.fluxbus.EventHandler;
import io.fluxbus.SubscribeOptions;
import io.fluxbus.TopicPattern;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.LongAdder;

/**
 * A sync handler subscription: the handler runs on the publishing thread and the publish moves on to the next
 * subscription only once the handler's {@code Mono} has completed. A handler whose {@code Mono} completes later
 * suspends the publish, which resumes on the completing thread. Concurrent publishers may run the handler
 * concurrently; it has no buffer, so it never refuses an event.
 */
final class SyncHandlerEndpoint extends Endpoint {

  private final EventHandler handler;
  private final LongAdder running = new LongAdder();

  SyncHandlerEndpoint(long seq, String id, TopicPattern pattern, SubscribeOptions options, LocalEventBus bus,
                      EventHandler handler) {
    super(seq, id, pattern, options, bus);
    this.handler = handler;
  }

  @Override
  int tryFast(Event<Object> event) {
    // the handler's Mono may complete later, and the publish must then wait for it
    return SLOW;
  }

  @Override
  int tryOffer(Event<Object> event, Dispatch dispatch) {
    running.increment();
    Run run = new Run(this, event, dispatch);
    run.start(handler);
    return run.suspendUnlessDone() ? Dispatch.SUSPENDED : Dispatch.ACCEPTED;
  }

  @Override
  boolean reserve() {
    return true;
  }

  @Override
  void unreserve() {
  }

  @Override
  void acceptReserved(Event<Object> event) {
    throw new IllegalStateException("sync handler subscriptions never wait");
  }

  @Override
  void signal() {
    if (terminated != null && markFinished()) {
      dropWaiters(terminated);
    }
  }

  @Override
  boolean idle() {
    return running.sum() == 0;
  }

  @Override
  int buffered() {
    return 0;
  }

  private static final class Run extends HandlerRun {
    private static final int RUNNING = 0;
    private static final int SUSPENDED = 1;
    private static final int DONE = 2;
    private static final AtomicIntegerFieldUpdater<Run> STATE =
        AtomicIntegerFieldUpdater.newUpdater(Run.class, "state");

    private final Dispatch dispatch;
    private volatile int state;

    Run(SyncHandlerEndpoint endpoint, Event<Object> event, Dispatch dispatch) {
      super(endpoint, event);
      this.dispatch = dispatch;
    }

    /** True when the handler is still running, in which case {@link #finished()} resumes the publish. */
    boolean suspendUnlessDone() {
      return STATE.compareAndSet(this, RUNNING, SUSPENDED);
    }

    @Override
    void finished() {
      ((SyncHandlerEndpoint) endpoint).running.decrement();
      if (!STATE.compareAndSet(this, RUNNING, DONE)) {
        dispatch.resume();
      }
    }
  }
}
