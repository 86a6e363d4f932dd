package io.fluxbus.internal.delivery;

import io.fluxbus.Event;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import reactor.core.Disposable;

/**
 * One event waiting for room in a subscription, on behalf of one publish. Exactly one of admission, expiry,
 * cancellation or termination claims it (a CAS from its initial state), so an event is never both delivered and
 * dropped. {@link #RESERVED} waiters already hold room (a sync subscriber was busy on another thread).
 */
final class Waiter {

  static final int WAITING = 0;
  static final int RESERVED = 1;
  static final int DONE = 2;

  private static final AtomicIntegerFieldUpdater<Waiter> STATE =
      AtomicIntegerFieldUpdater.newUpdater(Waiter.class, "state");

  final Event<Object> event;
  final Dispatch dispatch;
  volatile int state;
  volatile Disposable timer;

  Waiter(Event<Object> event, Dispatch dispatch, int state) {
    this.event = event;
    this.dispatch = dispatch;
    this.state = state;
  }

  /** Claims the waiter from {@code expected}; true for the one caller that wins. */
  boolean claim(int expected) {
    if (STATE.compareAndSet(this, expected, DONE)) {
      Disposable t = timer;
      if (t != null) {
        t.dispose();
      }
      return true;
    }
    return false;
  }

  /** Claims the waiter from whichever live state it is in; returns that state, or DONE when already claimed. */
  int claimAny() {
    while (true) {
      int s = state;
      if (s == DONE) {
        return DONE;
      }
      if (claim(s)) {
        return s;
      }
    }
  }
}
