package io.fluxbus.internal.delivery;

import io.fluxbus.DropReason;
import io.fluxbus.Event;
import io.fluxbus.EventHandler;
import io.fluxbus.SubscribeOptions;
import io.fluxbus.TopicPattern;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An async handler subscription: buffered events run through the handler on a bus worker, up to
 * {@code concurrency} at once. Each event goes to a lane, chosen by its key's hash (keyless events take the
 * lanes in turn); a lane runs one handler at a time, so events with the same key keep their order. Lanes are
 * drained only by the drain loop, never through {@code groupBy}.
 */
final class AsyncHandlerEndpoint extends AsyncEndpoint {

  private final EventHandler handler;
  private final Lane[] lanes;
  private final AtomicInteger running = new AtomicInteger();
  private int nextLane;

  AsyncHandlerEndpoint(long seq, String id, TopicPattern pattern, SubscribeOptions options, LocalEventBus bus,
                       EventHandler handler) {
    super(seq, id, pattern, options, bus);
    this.handler = handler;
    this.lanes = new Lane[options.concurrency()];
    for (int i = 0; i < lanes.length; i++) {
      lanes[i] = new Lane();
    }
  }

  @Override
  boolean emit() {
    int budget = BATCH;
    if (lanes.length == 1) {
      Lane lane = lanes[0];
      while (!lane.busy) {
        if (budget-- == 0) {
          return false;
        }
        Event<Object> event = poll();
        if (event == null) {
          return true;
        }
        start(lane, event);
      }
      return true;
    }
    boolean started = true;
    while (started) {
      Event<Object> event;
      while ((event = poll()) != null) {
        laneFor(event).queue.add(event);
      }
      started = false;
      for (Lane lane : lanes) {
        if (!lane.busy && !lane.queue.isEmpty()) {
          if (budget-- == 0) {
            return false;
          }
          start(lane, lane.queue.poll());
          started = true;
        }
      }
    }
    return true;
  }

  @Override
  boolean canEmit() {
    // with several lanes a pass moves buffered events to their lanes' queues whether or not a lane is free
    return lanes.length > 1 || !lanes[0].busy;
  }

  private Lane laneFor(Event<Object> event) {
    String key = event.key();
    if (key == null) {
      nextLane = (nextLane + 1) % lanes.length;
      return lanes[nextLane];
    }
    return lanes[(key.hashCode() & 0x7fffffff) % lanes.length];
  }

  private void start(Lane lane, Event<Object> event) {
    released();
    lane.busy = true;
    running.incrementAndGet();
    new Run(this, lane, event).start(handler);
  }

  @Override
  void finish(DropReason reason) {
    dropBuffered(reason);
    for (Lane lane : lanes) {
      Event<Object> event;
      while ((event = lane.queue.poll()) != null) {
        released();
        dropped(event, reason);
      }
    }
    markFinished();
  }

  @Override
  boolean idle() {
    return super.idle() && running.get() == 0;
  }

  private static final class Lane {
    /** Events waiting for this lane; touched only by the drain loop. */
    final ArrayDeque<Event<Object>> queue = new ArrayDeque<>();
    volatile boolean busy;
  }

  private static final class Run extends HandlerRun {
    private final Lane lane;

    Run(AsyncHandlerEndpoint endpoint, Lane lane, Event<Object> event) {
      super(endpoint, event);
      this.lane = lane;
    }

    @Override
    void finished() {
      AsyncHandlerEndpoint owner = (AsyncHandlerEndpoint) endpoint;
      lane.busy = false;
      owner.running.decrementAndGet();
      owner.signal();
    }
  }
}
