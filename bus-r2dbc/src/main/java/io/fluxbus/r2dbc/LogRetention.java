package io.fluxbus.r2dbc;

import java.time.Duration;
import reactor.core.publisher.Mono;

/**
 * Deletes log rows older than the retention, in batches of 5 000, every quarter of the retention (at most every
 * minute). A row is deleted only once every durable group has passed it in its partition, so a lagging group delays
 * deletion instead of losing events; readers that keep their position in memory (the tail, replays) are expected to
 * be far younger than the retention. Every bus on the schema runs it; concurrent runs delete disjoint rows or
 * nothing. Plain {@code DELETE}: see the module README for why not dropped partitions.
 */
final class LogRetention {

  private static final int BATCH = 5_000;

  private final PostgresSession session;
  private final Duration retention;

  LogRetention(PostgresSession session, Duration retention) {
    this.session = session;
    this.retention = retention;
  }

  /**
   * Runs {@link #deleteExpired()} periodically on the session's scheduler; disposing the result stops it after the
   * deletion in progress (a query is never cancelled midway), and {@code ended} completes then.
   */
  PassLoop start() {
    Duration every = retention.dividedBy(4);
    Duration period = every.compareTo(Duration.ofMinutes(1)) > 0 ? Duration.ofMinutes(1)
        : every.isZero() ? Duration.ofMillis(1) : every;
    PassLoop loop = new PassLoop(() -> session.reported("retention", "deleting again in " + period,
        deleteExpired()), period, session.timers());
    loop.start(false);
    return loop;
  }

  /** Deletes every expired row that all groups have passed; emits how many. */
  Mono<Long> deleteExpired() {
    Mono<Long> batch = session.database().update(c -> c.createStatement(session.log().deleteExpired)
        .bind(0, (double) retention.toMillis()).bind(1, BATCH));
    return batch.expand(deleted -> deleted == BATCH ? batch : Mono.empty()).reduce(0L, Long::sum);
  }
}
