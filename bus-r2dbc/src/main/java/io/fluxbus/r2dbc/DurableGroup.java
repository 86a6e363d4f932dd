package io.fluxbus.r2dbc;

import io.fluxbus.CodecException;
import io.fluxbus.Event;
import io.fluxbus.EventBus;
import io.fluxbus.EventHandler;
import io.fluxbus.StartPosition;
import io.fluxbus.SubscribeOptions;
import io.fluxbus.TopicPattern;
import io.fluxbus.codec.EventCodec;
import io.fluxbus.spi.DeadLetters;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.Result;
import io.r2dbc.spi.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;

/**
 * One member of a durable consumer group on one pattern: members anywhere (any process, any bus on the schema)
 * compete for the group's lease, and only the holder handles events. The group's cursor lives in
 * {@code group_cursor}; the holder handles matching events one at a time in log order (so per-key order holds),
 * and acknowledges each by advancing the cursor <em>after</em> the handler's {@code Mono} completed, guarded by
 * owner and fencing token: a member whose lease was taken over acknowledges nothing and stops. A member that dies
 * stops renewing; its lease expires and another member continues from the last acknowledged event, so the event
 * in flight is delivered again (at-least-once).
 *
 * <p>A failing handler is retried in place per the subscription's {@code RetryPolicy}; after the last attempt the
 * event is published to the dead-letter topic (through the log, committed before the cursor moves) when one applies,
 * as in the core: {@code deadLetter(topic)}, or {@code <topic>.dlq} when retries are configured.
 *
 * <p>This version has one lease per group and pattern (one active member at a time; partitions come next).
 */
final class DurableGroup {

  /** The lease and where it starts, as returned by a claim. */
  private record Lease(long fence, LogTailer.Cursor cursor) {}

  private record GroupRow(LogTailer.Cursor cursor, String topic, String cloudEvent) {}

  /** The lease was taken over: stop without acknowledging. */
  private static final class FencedOut extends RuntimeException {
    private static final long serialVersionUID = 1L;

    FencedOut() {
      super(null, null, false, false);
    }
  }

  private final String group;
  private final TopicPattern pattern;
  private final SubscribeOptions options;
  private final EventHandler handler;
  private final ConnectionPool pool;
  private final LogSchema schema;
  private final EventCodec codec;
  private final EventBus front;
  private final Scheduler scheduler;
  private final Duration pollInterval;
  private final Duration lease;
  private final int batchSize;
  private final EngineEvents engineEvents;
  private final String owner = UUID.randomUUID().toString();
  private final Sinks.Empty<Void> stopSignal = Sinks.empty();
  private final Sinks.Empty<Void> ended = Sinks.empty();
  private volatile FluxSink<Boolean> wakeups;
  private volatile long fence = -1;
  private Disposable heartbeat;

  DurableGroup(String group, TopicPattern pattern, SubscribeOptions options, EventHandler handler,
               ConnectionPool pool, LogSchema schema, EventCodec codec, EventBus front, Scheduler scheduler,
               Duration pollInterval, Duration lease, int batchSize, EngineEvents engineEvents) {
    this.group = group;
    this.pattern = pattern;
    this.options = options;
    this.handler = handler;
    this.pool = pool;
    this.schema = schema;
    this.codec = codec;
    this.front = front;
    this.scheduler = scheduler;
    this.pollInterval = pollInterval;
    this.lease = lease;
    this.batchSize = batchSize;
    this.engineEvents = engineEvents;
  }

  /** This member's id, the {@code owner} written when it holds the lease. */
  String owner() {
    return owner;
  }

  /**
   * Creates the group's cursor if the group is new (at the subscription's {@code startFrom}; an existing group keeps
   * its cursor), then starts competing for the lease and handling.
   */
  Mono<Void> start() {
    return startCursor()
        .flatMap(cursor -> withConnection(c -> update(c.createStatement(schema.createGroup)
            .bind(0, group).bind(1, pattern.value()).bind(2, cursor.tx()).bind(3, cursor.position()))))
        .then(Mono.fromRunnable(this::run));
  }

  private Mono<LogTailer.Cursor> startCursor() {
    StartPosition from = options.startFrom();
    if (from instanceof StartPosition.Earliest) {
      return Mono.just(LogTailer.Cursor.START);
    }
    Mono<LogTailer.Cursor> head = withConnection(c -> cursor(c.createStatement(schema.head)))
        .defaultIfEmpty(LogTailer.Cursor.START);
    if (from instanceof StartPosition.At at) {
      // just before the first event appended at or after the time, in log order: "at least from T"
      return withConnection(c -> cursor(c.createStatement(schema.firstAtOrAfter)
              .bind(0, OffsetDateTime.ofInstant(at.time(), ZoneOffset.UTC))))
          .map(first -> new LogTailer.Cursor(first.tx(), first.position() - 1))
          .switchIfEmpty(head);
    }
    return head;
  }

  private void run() {
    Flux<Boolean> wakes = Flux.create(sink -> wakeups = sink, FluxSink.OverflowStrategy.LATEST);
    Flux.merge(Mono.just(Boolean.TRUE), wakes, Flux.interval(pollInterval, scheduler).map(tick -> Boolean.TRUE))
        .onBackpressureLatest()
        .takeUntilOther(stopSignal.asMono())
        .concatMap(wake -> pass(), 1)
        .subscribe(null, error -> ended.tryEmitEmpty(), ended::tryEmitEmpty);
    heartbeat = Flux.interval(lease.dividedBy(3), scheduler)
        .concatMap(tick -> renew())
        .subscribe();
  }

  /** Asks for a pass soon (the log grew). Any thread. */
  void wake() {
    FluxSink<Boolean> sink = wakeups;
    if (sink != null) {
      sink.next(Boolean.TRUE);
    }
  }

  /** Leaves the group: stops after the event in hand is handled and acknowledged, then releases the lease. */
  Mono<Void> leave(Duration timeout) {
    stopSignal.tryEmitEmpty();
    return ended.asMono().timeout(timeout, Mono.empty(), scheduler)
        .then(Mono.defer(() -> {
          heartbeat.dispose();
          long held = fence;
          fence = -1;
          return held < 0 ? Mono.<Void>empty() : withConnection(c -> update(c.createStatement(schema.releaseGroup)
              .bind(0, group).bind(1, pattern.value()).bind(2, owner).bind(3, held))).then();
        }))
        .onErrorResume(error -> Mono.empty());
  }

  /** Simulates this member's process dying: it stops handling, renewing and acknowledging, and releases nothing. */
  void crash() {
    stopSignal.tryEmitEmpty();
    Disposable beat = heartbeat;
    if (beat != null) {
      beat.dispose();
    }
    fence = -1;
  }

  private Mono<Void> pass() {
    return claim()
        .flatMap(held -> batch(held.cursor(), held.fence())
            .expand(next -> next.full() ? batch(next.cursor(), held.fence()) : Mono.empty())
            .then())
        .doOnSuccess(done -> engineEvents.connected("group '" + group + "'"))
        .onErrorResume(FencedOut.class, fenced -> {
          fence = -1;
          return Mono.empty();
        })
        // a failed pass leaves the cursor where it was acknowledged; the next wake-up or poll continues from there
        .onErrorResume(error -> {
          engineEvents.disconnected("group '" + group + "'", error);
          return Mono.empty();
        });
  }

  private record Progress(LogTailer.Cursor cursor, boolean full) {}

  private Mono<Lease> claim() {
    return withConnection(c -> Mono.from(c.createStatement(schema.claimGroup)
            .bind(0, group).bind(1, pattern.value()).bind(2, owner).bind(3, lease.toMillis()).execute())
        .flatMap(result -> Mono.from(result.map((row, meta) -> new Lease(row.get("fence", Long.class),
            new LogTailer.Cursor(row.get("tx", String.class), row.get("cursor_pos", Long.class)))))))
        .doOnNext(held -> fence = held.fence())
        .switchIfEmpty(Mono.<Lease>fromRunnable(() -> fence = -1));
  }

  private Mono<Progress> batch(LogTailer.Cursor from, long heldFence) {
    return withConnection(c -> Flux.from(c.createStatement(schema.readAfter)
            .bind(0, from.tx()).bind(1, from.position()).bind(2, batchSize).execute())
        .flatMap(result -> result.map((row, meta) -> new GroupRow(
            new LogTailer.Cursor(row.get("tx", String.class), row.get("position", Long.class)),
            row.get("topic", String.class), row.get("cloud_event", String.class))))
        .collectList())
        .flatMap(rows -> handleAll(rows, heldFence).thenReturn(new Progress(
            rows.isEmpty() ? from : rows.get(rows.size() - 1).cursor(), rows.size() == batchSize)));
  }

  private Mono<Void> handleAll(List<GroupRow> rows, long heldFence) {
    return Flux.fromIterable(rows)
        .concatMap(row -> pattern.matches(row.topic()) ? handleAndAck(row, heldFence) : Mono.empty())
        .then(Mono.defer(() -> rows.isEmpty() || pattern.matches(rows.get(rows.size() - 1).topic())
            ? Mono.empty()
            // rows of other topics at the end: move past them too, so they are not read again
            : ack(rows.get(rows.size() - 1).cursor(), heldFence)));
  }

  private Mono<Void> handleAndAck(GroupRow row, long heldFence) {
    Event<Object> event;
    try {
      event = codec.decode(row.cloudEvent());
    } catch (CodecException undecodable) {
      // a row no handler can read would block the group forever: report it and move past it
      engineEvents.undecodable(row.cursor().position(), undecodable);
      return ack(row.cursor(), heldFence);
    }
    return handle(event).then(ack(row.cursor(), heldFence));
  }

  private Mono<Void> handle(Event<Object> event) {
    Mono<Void> attempts = Mono.defer(() -> handler.handle(event));
    if (options.retry().retries()) {
      attempts = attempts.retryWhen(options.retry().toRetry());
    }
    return attempts.onErrorResume(error -> {
      String reason = error.getClass().getName() + (error.getMessage() == null ? "" : ": " + error.getMessage());
      engineEvents.handlerFailed(pattern.value(), group, event.id(), reason);
      String deadLetter = DeadLetters.topicFor(options, event);
      if (deadLetter == null) {
        return Mono.empty();
      }
      return front.publish(letter(event, deadLetter, reason)).then();
    });
  }

  private Event<Object> letter(Event<Object> failed, String topic, String error) {
    return DeadLetters.letter(failed, topic, error, options.retry().maxAttempts(), Map.of("dlqgroup", group));
  }

  private Mono<Void> ack(LogTailer.Cursor cursor, long heldFence) {
    return withConnection(c -> update(c.createStatement(schema.ackGroup)
            .bind(0, group).bind(1, pattern.value()).bind(2, owner).bind(3, lease.toMillis()).bind(4, heldFence)
            .bind(5, cursor.tx()).bind(6, cursor.position())))
        .flatMap(updated -> updated == 0 ? Mono.error(new FencedOut()) : Mono.empty());
  }

  private Mono<Long> renew() {
    long held = fence;
    if (held < 0) {
      return Mono.empty();
    }
    return withConnection(c -> update(c.createStatement(schema.renewGroup)
            .bind(0, group).bind(1, pattern.value()).bind(2, owner).bind(3, lease.toMillis()).bind(4, held)))
        .onErrorResume(error -> Mono.empty());
  }

  private <T> Mono<T> withConnection(Function<Connection, Mono<T>> work) {
    return Mono.usingWhen(PostgresEventBus.acquire(pool, scheduler), work, Connection::close);
  }

  private static Mono<LogTailer.Cursor> cursor(Statement statement) {
    return Mono.from(statement.execute()).flatMap(result -> Mono.from(result.map((row, meta) ->
        new LogTailer.Cursor(row.get("tx", String.class), row.get("position", Long.class)))));
  }

  private static Mono<Long> update(Statement statement) {
    return Flux.from(statement.execute()).flatMap(Result::getRowsUpdated).reduce(0L, Long::sum);
  }
}
