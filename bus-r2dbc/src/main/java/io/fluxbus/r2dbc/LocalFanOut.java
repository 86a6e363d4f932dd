package io.fluxbus.r2dbc;

import io.fluxbus.CodecException;
import io.fluxbus.Event;
import java.util.List;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * What the tail of the log does with a batch: hands each event another bus (or an outbox transaction, a delayed
 * promotion, a dead letter) appended to this bus's ordinary subscriptions, one at a time in log order, on the
 * session's delivery thread (so sync subscribers always run on that one thread, never on the timers'). Rows this bus
 * appended itself are passed by: its {@code publish} handed them on when the append committed. A row that is not a
 * readable event is reported as dropped.
 */
final class LocalFanOut {

  private final PostgresSession session;

  LocalFanOut(PostgresSession session) {
    this.session = session;
  }

  Mono<Void> handle(List<LogRow> rows) {
    return Flux.fromIterable(rows).concatMap(this::fanOut).then();
  }

  private Mono<Void> fanOut(LogRow row) {
    if (row.beforeStart() || session.origin().equals(row.origin())) {
      return Mono.empty();
    }
    Event<Object> event;
    try {
      event = session.codec().decode(row.cloudEvent());
    } catch (CodecException undecodable) {
      session.events().dropped(null, "log position " + row.cursor().position() + " is not a readable event: "
          + undecodable.getMessage());
      return Mono.empty();
    }
    return session.local().publish(event, session.delivery())
        .then()
        // the core refuses only while it stops, after the tail was told to stop: nobody local can take it
        .onErrorResume(error -> Mono.empty());
  }
}
