package io.fluxbus.r2dbc;

import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.Result;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Tells other processes that the log grew, coalesced: at most one {@code pg_notify} of this bus is in flight, and
 * every request made meanwhile is folded into one more. NOTIFY takes a cluster-wide lock at commit, so one NOTIFY
 * per append would serialise all appends (research §3.4); this keeps appends free of it. Its transaction commits
 * without waiting for the WAL flush, and its payload names this bus, whose own listener ignores it (this bus's
 * readers were woken when the append completed): wake-ups cost a quiet publisher neither a second flush nor a read
 * of its own rows per event ({@link LogSchema#notifyOthers}). A lost or failed NOTIFY only delays other processes
 * until their next poll. Thread-safe, lock-free.
 */
final class WakeupNotifier {

  private static final int IDLE = 0;
  private static final int SENDING = 1;
  private static final int SENDING_AND_REQUESTED = 2;

  private final ConnectionFactory connections;
  private final LogSchema schema;
  private final String origin;
  private final AtomicInteger state = new AtomicInteger();

  /** Notifies on {@code schema}'s channel with {@code origin} as the payload, which this bus's listener ignores. */
  WakeupNotifier(ConnectionFactory connections, LogSchema schema, String origin) {
    this.connections = connections;
    this.schema = schema;
    this.origin = origin;
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

  /** Completes once no NOTIFY is in flight (checked every 2 ms on {@code timers}). */
  Mono<Void> idle(Scheduler timers) {
    return Flux.interval(Duration.ZERO, Duration.ofMillis(2), timers).filter(tick -> state.get() == IDLE).next()
        .then();
  }

  private void send() {
    Mono.usingWhen(connections.create(),
            c -> Flux.from(c.createStatement(schema.notifyOthers).bind(0, schema.channel).bind(1, origin)
                .execute())
                .flatMap(Result::getRowsUpdated).then(),
            Connection::close)
        .subscribe(null, error -> sent(), this::sent);
  }

  private void sent() {
    if (!state.compareAndSet(SENDING, IDLE)) {
      state.set(SENDING);
      send();
    }
  }
}
