package io.fluxbus.r2dbc;

import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.Result;
import java.time.Duration;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Deletes log rows older than the retention, in batches, every quarter of the retention (at most every minute).
 * A row is deleted only when every durable group has acknowledged it, so a lagging group delays deletion instead
 * of losing events; fan-out tailers keep no cursor in the database and are expected to be far younger than the
 * retention. Every bus on the schema runs it; concurrent runs delete disjoint rows or nothing.
 */
final class LogRetention {

  private static final int BATCH = 5_000;

  private final ConnectionPool pool;
  private final LogSchema schema;
  private final Duration retention;
  private final Scheduler scheduler;
  private final EngineEvents engineEvents;

  LogRetention(ConnectionPool pool, LogSchema schema, Duration retention, Scheduler scheduler,
               EngineEvents engineEvents) {
    this.pool = pool;
    this.schema = schema;
    this.retention = retention;
    this.scheduler = scheduler;
    this.engineEvents = engineEvents;
  }

  /** Runs {@link #deleteExpired()} periodically until disposed. */
  Disposable start() {
    Duration every = retention.dividedBy(4);
    Duration period = every.compareTo(Duration.ofMinutes(1)) > 0 ? Duration.ofMinutes(1)
        : every.isZero() ? Duration.ofMillis(1) : every;
    return Flux.interval(period, period, scheduler)
        .onBackpressureDrop()
        .concatMap(tick -> deleteExpired()
            .doOnSuccess(deleted -> engineEvents.connected("retention"))
            .onErrorResume(error -> {
              engineEvents.disconnected("retention", error);
              return Mono.empty();
            }), 1)
        .subscribe();
  }

  /** Deletes every expired row that all groups acknowledged; emits how many. */
  Mono<Long> deleteExpired() {
    return batch().expand(deleted -> deleted == BATCH ? batch() : Mono.empty()).reduce(0L, Long::sum);
  }

  private Mono<Long> batch() {
    return Mono.usingWhen(PostgresEventBus.acquire(pool, scheduler),
        c -> Flux.from(c.createStatement(schema.deleteExpired).bind(0, retention.toMillis()).bind(1, BATCH).execute())
            .flatMap(Result::getRowsUpdated).reduce(0L, Long::sum),
        Connection::close);
  }
}
