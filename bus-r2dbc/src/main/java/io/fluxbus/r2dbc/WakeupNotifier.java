package io.fluxbus.r2dbc;

import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.Result;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Tells other processes that the log grew, coalesced: at most one {@code pg_notify} of this bus is in flight, and
 * every request made meanwhile is folded into one more. NOTIFY takes a cluster-wide lock at commit, so one NOTIFY
 * per append would serialise all appends (research §3.4); this keeps appends free of it. Its transaction commits
 * without waiting for the WAL flush ({@link LogSchema#notifyWithoutFlush}), so that wake-ups do not double the
 * flushes of a quiet publisher. A lost or failed NOTIFY only delays other processes until their next poll.
 * Thread-safe, lock-free.
 */
final class WakeupNotifier {

  private static final int IDLE = 0;
  private static final int SENDING = 1;
  private static final int SENDING_AND_REQUESTED = 2;

  private final ConnectionFactory connections;
  private final LogSchema schema;
  private final AtomicInteger state = new AtomicInteger();

  WakeupNotifier(ConnectionFactory connections, LogSchema schema) {
    this.connections = connections;
    this.schema = schema;
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

  private void send() {
    Mono.usingWhen(connections.create(),
            c -> Flux.from(c.createStatement(schema.notifyWithoutFlush).bind(0, schema.channel).execute())
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
