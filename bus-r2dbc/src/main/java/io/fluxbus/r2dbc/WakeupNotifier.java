package io.fluxbus.r2dbc;

import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.Result;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Tells other processes that the log grew, coalesced: a request on a quiet bus notifies at once; then, until the NOTIFY
 * completed and at least {@code interval} passed since it started, every request is folded into one more, sent when
 * both are over. So a bus sends at most one NOTIFY per {@code interval}; a busy one delays other processes' wake-up by
 * up to the interval (more when a NOTIFY itself takes longer, e.g. waiting for a pooled connection). NOTIFY takes a
 * cluster-wide lock at commit, so one NOTIFY per append would serialise all appends (research §3.4); this keeps appends
 * free of it. Its transaction commits without waiting for the WAL flush, and its payload names this bus, whose own
 * listener ignores it (this bus's readers were woken when the append completed): wake-ups cost a quiet publisher
 * neither a second flush nor a read of its own rows per event ({@link LogSchema#notifyOthers}). A lost or failed NOTIFY
 * only delays other processes until their next poll. Thread-safe, lock-free.
 */
final class WakeupNotifier {

  private static final int IDLE = 0;
  private static final int SENDING = 1;
  private static final int SENDING_AND_REQUESTED = 2;

  private final ConnectionFactory connections;
  private final LogSchema schema;
  private final String origin;
  private final long intervalNanos;
  private final Scheduler timers;
  private final AtomicInteger state = new AtomicInteger();
  /** A token for the interval being waited out after a NOTIFY, or null; whoever takes it goes on. */
  private final AtomicReference<Object> pause = new AtomicReference<>();
  private volatile boolean flushing;

  /**
   * Notifies on {@code schema}'s channel with {@code origin} as the payload, which this bus's listener ignores, at
   * most once per {@code interval} (waited for on {@code timers}).
   */
  WakeupNotifier(ConnectionFactory connections, LogSchema schema, String origin, Duration interval,
                 Scheduler timers) {
    this.connections = connections;
    this.schema = schema;
    this.origin = origin;
    this.intervalNanos = interval.toNanos();
    this.timers = timers;
  }

  /** Asks for a NOTIFY after the appends that completed so far. */
  void request() {
    for (;;) {
      int current = state.get();
      if (current == IDLE) {
        if (state.compareAndSet(IDLE, SENDING)) {
          send();
          return;
        }
      } else if (current == SENDING) {
        if (state.compareAndSet(SENDING, SENDING_AND_REQUESTED)) {
          return;
        }
      } else {
        return;
      }
    }
  }

  /**
   * For closing: stops waiting out intervals, so that a request folded into a waiting NOTIFY is sent now. Then
   * {@link #idle()} completes once it was sent.
   */
  void flush() {
    flushing = true;
    Object waiting = pause.getAndSet(null);
    if (waiting != null) {
      settle();
    }
  }

  /** Completes once no NOTIFY is in flight or waiting for its interval (checked every 2 ms on the timers). */
  Mono<Void> idle() {
    return Flux.interval(Duration.ZERO, Duration.ofMillis(2), timers).filter(tick -> state.get() == IDLE).next()
        .then();
  }

  private void send() {
    long started = System.nanoTime();
    Mono.usingWhen(connections.create(),
            c -> Flux.from(c.createStatement(schema.notifyOthers).bind(0, schema.channel).bind(1, origin)
                .execute())
                .flatMap(Result::getRowsUpdated).then(),
            Connection::close)
        .subscribe(null, error -> sent(started), () -> sent(started));
  }

  private void sent(long started) {
    long rest = intervalNanos - (System.nanoTime() - started);
    if (rest <= 0 || flushing) {
      settle();
      return;
    }
    Object waiting = new Object();
    pause.set(waiting);
    try {
      timers.schedule(() -> resume(waiting), rest, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException closed) {
      resume(waiting);
      return;
    }
    if (flushing) {
      // flush() ran before this pause was set, and did not see it
      resume(waiting);
    }
  }

  private void resume(Object waiting) {
    if (pause.compareAndSet(waiting, null)) {
      settle();
    }
  }

  private void settle() {
    if (!state.compareAndSet(SENDING, IDLE)) {
      state.set(SENDING);
      send();
    }
  }
}
