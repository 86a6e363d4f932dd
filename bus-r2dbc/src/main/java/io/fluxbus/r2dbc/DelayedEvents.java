package io.fluxbus.r2dbc;

import io.fluxbus.Event;
import io.fluxbus.PublishResult;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import reactor.core.publisher.Mono;

/**
 * Delayed delivery: {@link #schedule} stores an event in {@code scheduled} with its due time, and every bus on the
 * schema promotes due rows into the log ({@code DELETE … RETURNING} into {@code INSERT}, {@code FOR UPDATE SKIP
 * LOCKED}, so buses promoting at once move disjoint rows and each row is appended exactly once). A bus promotes
 * every {@code pollInterval}, and at the due time of each event it scheduled itself; a promoted event then reaches
 * subscribers like any other appended event. Due times are compared with the database's clock.
 */
final class DelayedEvents {

  private static final int BATCH = 500;

  private final PostgresSession session;
  private final PassLoop loop;

  DelayedEvents(PostgresSession session) {
    this.session = session;
    this.loop = new PassLoop(this::promote, session.settings().pollInterval(), session.timers());
  }

  /**
   * Starts promoting, from the first poll on (or at once, when this bus schedules an event that is due); disposing
   * the result stops it after the promotion in progress.
   */
  PassLoop start() {
    loop.start(false);
    return loop;
  }

  /**
   * Stores {@code stamped} to be appended at {@code due}.
   *
   * @return the result once stored (nothing delivered yet); the driver's error when the insert fails
   */
  Mono<PublishResult> schedule(Event<?> stamped, String json, Instant due) {
    return session.database().update(c -> LogDatabase.bindNullable(c.createStatement(session.log().schedule)
                .bind(0, OffsetDateTime.ofInstant(due, ZoneOffset.UTC)).bind(1, stamped.id()).bind(2, stamped.topic()),
            3, stamped.key(), String.class).bind(4, json))
        .doOnNext(stored -> promoteAt(due))
        .thenReturn(new PublishResult(stamped.id(), 0, 0));
  }

  private void promoteAt(Instant due) {
    Duration wait = Duration.between(Instant.now(), due);
    if (wait.isNegative() || wait.isZero()) {
      loop.wake();
      return;
    }
    // not tracked: once the session's scheduler is disposed, a timer still pending never fires
    Mono.delay(wait, session.timers()).subscribe(tick -> loop.wake(), error -> { });
  }

  /** Appends every due event, in batches; wakes the readers when it appended any. */
  private Mono<Void> promote() {
    Mono<Long> batch = session.database().update(c -> c.createStatement(session.log().promoteDue).bind(0, BATCH));
    return session.reported("delivering delayed events", "trying again at the next poll",
        batch.expand(appended -> appended == BATCH ? batch : Mono.empty())
            .reduce(0L, Long::sum)
            .doOnNext(appended -> {
              if (appended > 0) {
                session.appendedForAll();
              }
            }));
  }
}
