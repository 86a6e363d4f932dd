package io.fluxbus.r2dbc;

import io.fluxbus.CodecException;
import io.fluxbus.Event;
import io.fluxbus.PublishResult;
import io.fluxbus.codec.EventCodec;
import io.fluxbus.spi.LocalEventBus;
import io.r2dbc.spi.Connection;
import io.r2dbc.pool.ConnectionPool;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;

/**
 * Reads the committed log past its cursor and fans each event out through the local bus, one event at a time in
 * log order. One tailer per bus; it runs one pass at a time, woken by {@link #wake()} (a local append or a NOTIFY)
 * and by a poll every {@code pollInterval}, so a lost wake-up only delays. A pass reads batches until one comes
 * back short.
 *
 * <p><b>Gap safety.</b> The cursor is {@code (tx_id, position)} and a row is read only when its {@code tx_id} is
 * below the visibility horizon {@code pg_snapshot_xmin(pg_current_snapshot())}: every transaction with a smaller
 * id has ended, so no row can later appear behind the cursor. A transaction still open holds back the rows of every
 * younger one (they are delivered after it ends, in transaction-id order), never skips them.
 *
 * <p>Rows this bus appended itself are skipped: its {@code publish} fanned them out when the append committed.
 * Rows are read into memory and the connection released before fan-out, so a slow subscriber never holds a pooled
 * connection. Sync subscribers run on the bus's single delivery thread.
 */
final class LogTailer {

  /** A position in the log: the appending transaction's id (as text, it is an unsigned 64-bit xid8) and row. */
  record Cursor(String tx, long position) {
    static final Cursor START = new Cursor("0", 0);
  }

  private record LogRow(Cursor cursor, String origin, String cloudEvent) {}

  private final ConnectionPool connections;
  private final LogSchema schema;
  private final EventCodec codec;
  private final LocalEventBus local;
  private final String origin;
  private final Scheduler scheduler;
  private final Duration pollInterval;
  private final int batchSize;
  private final EngineEvents engineEvents;
  private final AtomicLong passesStarted = new AtomicLong();
  private final AtomicLong passesEnded = new AtomicLong();
  private final Sinks.Empty<Void> stopSignal = Sinks.empty();
  private final Sinks.Empty<Void> ended = Sinks.empty();
  private volatile FluxSink<Boolean> wakeups;
  private volatile Cursor cursor = Cursor.START;

  LogTailer(ConnectionPool connections, LogSchema schema, EventCodec codec, LocalEventBus local,
            String origin, Scheduler scheduler, Duration pollInterval, int batchSize,
            EngineEvents engineEvents) {
    this.connections = connections;
    this.schema = schema;
    this.codec = codec;
    this.local = local;
    this.origin = origin;
    this.scheduler = scheduler;
    this.pollInterval = pollInterval;
    this.batchSize = batchSize;
    this.engineEvents = engineEvents;
  }

  /**
   * Positions the cursor at the head of the committed log (events appended before are not delivered) and starts
   * tailing. Completes once the cursor is set.
   */
  Mono<Void> start() {
    return Mono.usingWhen(PostgresEventBus.acquire(connections, scheduler),
            c -> Mono.from(c.createStatement(schema.head).execute())
                .flatMap(result -> Mono.from(result.map((row, meta) ->
                    new Cursor(row.get("tx", String.class), row.get("position", Long.class))))),
            Connection::close)
        .defaultIfEmpty(Cursor.START)
        .doOnNext(head -> cursor = head)
        .then(Mono.fromRunnable(this::run));
  }

  private void run() {
    Flux<Boolean> wakes = Flux.create(sink -> wakeups = sink, FluxSink.OverflowStrategy.LATEST);
    Flux.merge(wakes, Flux.interval(pollInterval, scheduler).map(tick -> Boolean.TRUE))
        .onBackpressureLatest()
        .takeUntilOther(stopSignal.asMono())
        .concatMap(wake -> pass(), 1)
        .subscribe(null, error -> ended.tryEmitEmpty(), ended::tryEmitEmpty);
  }

  /** Asks for a pass soon; passes requested while one runs fold into one more. Any thread. */
  void wake() {
    FluxSink<Boolean> sink = wakeups;
    if (sink != null) {
      sink.next(Boolean.TRUE);
    }
  }

  /** Passes begun so far; with {@link #passesEnded()} lets tests wait for a pass that began after a point. */
  long passesStarted() {
    return passesStarted.get();
  }

  /** Passes finished so far. */
  long passesEnded() {
    return passesEnded.get();
  }

  /** Where the next read starts. */
  Cursor cursor() {
    return cursor;
  }

  /** Stops tailing after the pass in progress (if any) ends; completes then, or after {@code timeout}. */
  Mono<Void> stop(Duration timeout) {
    stopSignal.tryEmitEmpty();
    return ended.asMono().timeout(timeout, Mono.empty(), scheduler);
  }

  private Mono<Void> pass() {
    return Mono.defer(() -> {
          passesStarted.incrementAndGet();
          return batch().expand(full -> full ? batch() : Mono.empty()).then();
        })
        .doOnSuccess(done -> engineEvents.connected("reading the log"))
        // the next wake-up or poll retries from the cursor, which only ever advances past fanned-out rows
        .onErrorResume(error -> {
          engineEvents.disconnected("reading the log", error);
          return Mono.empty();
        })
        .doFinally(signal -> passesEnded.incrementAndGet());
  }

  /** Reads and fans out one batch; emits whether it was full (more may follow at once). */
  private Mono<Boolean> batch() {
    Cursor from = cursor;
    return read(from)
        .flatMap(rows -> Flux.fromIterable(rows).concatMap(this::fanOut).then(Mono.just(rows.size() == batchSize)));
  }

  private Mono<List<LogRow>> read(Cursor from) {
    return Flux.usingWhen(PostgresEventBus.acquire(connections, scheduler),
            c -> Flux.from(c.createStatement(schema.readAfter)
                    .bind(0, from.tx()).bind(1, from.position()).bind(2, batchSize).execute())
                .flatMap(result -> result.map((row, meta) -> new LogRow(
                    new Cursor(row.get("tx", String.class), row.get("position", Long.class)),
                    row.get("origin", String.class), row.get("cloud_event", String.class)))),
            Connection::close)
        .collectList();
  }

  private Mono<Void> fanOut(LogRow row) {
    if (origin.equals(row.origin())) {
      // appended by this bus, which fanned it out when the append committed
      cursor = row.cursor();
      return Mono.empty();
    }
    Event<Object> event;
    try {
      event = codec.decode(row.cloudEvent());
    } catch (CodecException undecodable) {
      cursor = row.cursor();
      engineEvents.undecodable(row.cursor().position(), undecodable);
      return Mono.empty();
    }
    // subscribeOn: sync subscribers always run on the bus's delivery thread, even after a publish that waited
    return Mono.defer(() -> local.publish(event))
        .subscribeOn(scheduler)
        // the local bus refuses only while stopping, after the tailer was told to stop: nobody local can take it
        .onErrorResume(error -> Mono.just(new PublishResult(event.id(), 0, 0)))
        .doOnNext(result -> cursor = row.cursor())
        .then();
  }
}
