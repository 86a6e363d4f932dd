package io.fluxbus.internal.delivery;

import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;
import reactor.util.context.ContextView;

/**
 * One subscriber's demand, as the subscriptions that feed it take it unit by unit; usually one subscription's
 * own, and shared when several subscriptions feed one subscriber, e.g. the parts of a router subscription on
 * several engines. Put in the subscriber's {@link Context} under {@link #KEY}; an engine's
 * {@code Flux} subscription that finds it takes each event's unit of demand from here instead of from its own
 * {@code request} calls, so the merged stream honours the subscriber's demand exactly, and each engine applies
 * its delivery mode when the shared demand runs out. Thread-safe.
 */
public final class SharedDemand {

  /** The context key. */
  public static final Class<SharedDemand> KEY = SharedDemand.class;

  private static final AtomicLongFieldUpdater<SharedDemand> REQUESTED =
      AtomicLongFieldUpdater.newUpdater(SharedDemand.class, "requested");

  private volatile long requested;
  private final CopyOnWriteArrayList<Runnable> listeners = new CopyOnWriteArrayList<>();

  /** The shared demand in a context, or null. */
  static SharedDemand in(ContextView context) {
    return context.getOrDefault(KEY, null);
  }

  /** Adds demand (as {@code Subscription.request}) and tells every feeding subscription. */
  public void request(long n) {
    if (Operators.validate(n)) {
      Operators.addCap(REQUESTED, this, n);
      for (Runnable listener : listeners) {
        listener.run();
      }
    }
  }

  /** How many feeding subscriptions have joined; a subscription that did not join needs its own demand. */
  public int members() {
    return listeners.size();
  }

  void join(Runnable onRequest) {
    listeners.add(onRequest);
  }

  void leave(Runnable onRequest) {
    listeners.remove(onRequest);
  }

  /** Takes one unit of demand; false when there is none. */
  boolean take() {
    while (true) {
      long r = requested;
      if (r == Long.MAX_VALUE) {
        return true;
      }
      if (r == 0) {
        return false;
      }
      if (REQUESTED.compareAndSet(this, r, r - 1)) {
        return true;
      }
    }
  }

  /** True when some demand is left now. */
  boolean available() {
    return requested != 0;
  }

  /**
   * Gives back a unit taken and not used. When that makes demand available again and others share it, they are
   * told, as by {@link #request}: one of them may have found none meanwhile and gone idle with an event buffered.
   */
  void giveBack() {
    long before = Operators.addCap(REQUESTED, this, 1);
    if (before == 0 && listeners.size() > 1) {
      for (Runnable listener : listeners) {
        listener.run();
      }
    }
  }
}
