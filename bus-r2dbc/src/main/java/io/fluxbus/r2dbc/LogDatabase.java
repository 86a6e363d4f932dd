package io.fluxbus.r2dbc;

import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.Result;
import io.r2dbc.spi.Row;
import io.r2dbc.spi.RowMetadata;
import io.r2dbc.spi.Statement;
import java.time.Duration;
import java.util.function.BiFunction;
import java.util.function.Function;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * A session's connection pool, and running work on one of its connections. A connection is acquired for one piece
 * of work and released when that work's publisher terminates; the work is never cancelled midway (a cancelled R2DBC
 * query can leave its connection hanging, research §3.5), so work is bounded with {@code LIMIT}, not timeouts.
 * Acquiring waits at most 10 s, timed on the session's own scheduler so that tests in virtual time cannot expire
 * it. Thread-safe.
 */
final class LogDatabase {

  private static final Duration ACQUIRE_TIMEOUT = Duration.ofSeconds(10);

  private final ConnectionPool pool;
  private final Scheduler timers;

  LogDatabase(ConnectionPool pool, Scheduler timers) {
    this.pool = pool;
    this.timers = timers;
  }

  /** Runs {@code work} on a pooled connection, released when the result terminates. */
  <T> Mono<T> withConnection(Function<Connection, Mono<T>> work) {
    return Mono.usingWhen(acquire(), work, Connection::close);
  }

  /** Runs {@code work} on a pooled connection, released when the result terminates. */
  <T> Flux<T> withConnectionMany(Function<Connection, Flux<T>> work) {
    return Flux.usingWhen(acquire(), work, Connection::close);
  }

  /** Runs one statement that returns no rows; emits how many rows it changed. */
  Mono<Long> update(Function<Connection, Statement> statement) {
    return withConnection(c -> rowsUpdated(statement.apply(c)));
  }

  private Mono<? extends Connection> acquire() {
    return pool.create().timeout(ACQUIRE_TIMEOUT, timers);
  }

  /** Closes the pool: idle connections at once, the others when released. */
  Mono<Void> close() {
    return pool.disposeLater().onErrorResume(error -> Mono.empty());
  }

  /** Executes a statement and sums the rows it changed. */
  static Mono<Long> rowsUpdated(Statement statement) {
    return Flux.from(statement.execute()).flatMap(Result::getRowsUpdated).reduce(0L, Long::sum);
  }

  /**
   * Executes a statement and emits the first row, mapped; empty when there is none. Reads the whole result rather
   * than cancelling it after the first row, which could leave the connection's conversation hanging.
   */
  static <T> Mono<T> firstRow(Statement statement, BiFunction<Row, RowMetadata, T> mapper) {
    return Flux.from(statement.execute()).flatMap(result -> result.map(mapper)).collectList()
        .flatMap(rows -> rows.isEmpty() ? Mono.empty() : Mono.just(rows.get(0)));
  }

  /** Binds {@code value}, or a typed null. */
  static Statement bindNullable(Statement statement, int index, Object value, Class<?> type) {
    return value == null ? statement.bindNull(index, type) : statement.bind(index, value);
  }
}
