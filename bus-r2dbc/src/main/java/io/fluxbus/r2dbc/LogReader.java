package io.fluxbus.r2dbc;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Reads the whole log past a cursor, in batches, and hands each batch to a {@link BatchHandler}; the cursor moves
 * past a batch once the handler is done with it. Used for the bus's tail (fan-out to ordinary subscriptions) and
 * for each replaying subscription. Passes run one at a time ({@link PassLoop}); a pass reads batches until one
 * comes back short, and a failed read is retried by the next pass from the same cursor.
 *
 * <p><b>Gap safety.</b> A row is read only when its transaction id is below the visibility horizon
 * {@code pg_snapshot_xmin(pg_current_snapshot())}: every transaction with a smaller id has ended, so no row can
 * appear behind the cursor later. A transaction still open holds back the rows of every younger one (they are read
 * after it ends, in transaction-id order), never skips them. Rows are read into memory and the connection released
 * before the handler runs, so a slow subscriber never holds a pooled connection.
 */
final class LogReader implements Disposable, LogFollower {

  /** What to do with a batch; completes when done with it (then the cursor moves past it). Must not fail. */
  interface BatchHandler {
    Mono<Void> handle(List<LogRow> rows);
  }

  private final PostgresSession session;
  private final String component;
  private final BatchHandler handler;
  private final String snapshot;
  /** Rows appended by this origin are read without their event, or null to read every event. */
  private final String skippedOrigin;
  private final OffsetDateTime startTime;
  private final PassLoop loop;
  private volatile LogCursor cursor;
  private volatile long lastCaughtUpPass;

  LogReader(PostgresSession session, String component, ReadStart start, String skippedOrigin,
            BatchHandler handler) {
    this.session = session;
    this.component = component;
    this.handler = handler;
    this.skippedOrigin = skippedOrigin;
    this.cursor = start.cursor();
    this.snapshot = start.snapshot();
    Instant time = start.time();
    this.startTime = time == null ? null : OffsetDateTime.ofInstant(time, ZoneOffset.UTC);
    this.loop = new PassLoop(this::pass, session.settings().pollInterval(), session.timers());
  }

  /** Starts reading: at once if {@code readAtOnce}, else at the first wake-up or poll. */
  LogReader start(boolean readAtOnce) {
    loop.start(readAtOnce);
    return this;
  }

  @Override
  public void wake() {
    loop.wake();
  }

  @Override
  public long passesStarted() {
    return loop.passesStarted();
  }

  @Override
  public long lastCaughtUpPass() {
    return lastCaughtUpPass;
  }

  /** Passes finished so far. */
  long passesEnded() {
    return loop.passesEnded();
  }

  /** Where the next read starts. */
  LogCursor cursor() {
    return cursor;
  }

  /** Completes once the reader stopped (after {@link #dispose()}, once the pass in progress ended). */
  Mono<Void> ended() {
    return loop.ended();
  }

  /** Stops after the pass in progress. */
  @Override
  public void dispose() {
    loop.dispose();
  }

  @Override
  public boolean isDisposed() {
    return loop.isDisposed();
  }

  private Mono<Void> pass() {
    long number = loop.passesStarted();
    return session.reported(component, "reading again from where it left off",
        batch().expand(full -> full && !loop.isDisposed() ? batch() : Mono.empty())
            .reduce((earlier, last) -> last)
            .doOnNext(full -> {
              if (!full) {
                lastCaughtUpPass = number;
              }
            }));
  }

  /** Reads and hands on one batch; emits whether it was full (more may follow at once). */
  private Mono<Boolean> batch() {
    LogCursor from = cursor;
    int limit = session.settings().batchSize();
    return read(from, limit).flatMap(rows -> handler.handle(rows)
        .then(Mono.fromCallable(() -> {
          if (!rows.isEmpty()) {
            cursor = rows.get(rows.size() - 1).cursor();
          }
          return rows.size() == limit;
        })));
  }

  private Mono<List<LogRow>> read(LogCursor from, int limit) {
    LogStatements sql = session.log();
    return session.database().withConnectionMany(c -> {
          var statement = c.createStatement(sql.readAfter).bind(0, from.tx()).bind(1, from.position()).bind(2, limit);
          LogDatabase.bindNullable(statement, 3, snapshot, String.class);
          LogDatabase.bindNullable(statement, 4, startTime, OffsetDateTime.class);
          LogDatabase.bindNullable(statement, 5, skippedOrigin, String.class);
          return Flux.from(statement.execute()).flatMap(result -> result.map((row, meta) -> new LogRow(
              new LogCursor(row.get("tx", String.class), row.get("position", Long.class)),
              row.get("partition_no", Integer.class), -1, row.get("origin", String.class),
              row.get("topic", String.class), Boolean.TRUE.equals(row.get("before_start", Boolean.class)),
              row.get("cloud_event", String.class))));
        })
        .collectList();
  }
}
