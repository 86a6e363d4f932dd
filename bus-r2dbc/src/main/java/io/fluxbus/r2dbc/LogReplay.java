package io.fluxbus.r2dbc;

import io.fluxbus.Event;
import io.fluxbus.StartPosition;
import io.fluxbus.internal.Failures;
import io.fluxbus.internal.log.Lanes;
import io.fluxbus.internal.log.LogItem;
import io.fluxbus.spi.Delivery;
import io.fluxbus.spi.LogConsumer;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/**
 * An ungrouped subscription that starts at the earliest event or at a time: a {@link LogReader} of its own reads the
 * log from there (gap-safe, in log order) and then follows it, handing matching events to the {@link LogConsumer}
 * in per-key lanes and moving on once they are settled. Its position lives in memory only: a replay begins again
 * from its start position when subscribed again. A failure's dead letter is appended to the log.
 */
final class LogReplay implements Disposable, LogFollower {

  private final PostgresSession session;
  private final LogConsumer consumer;
  private final String component;
  private volatile LogReader reader;

  private LogReplay(PostgresSession session, LogConsumer consumer) {
    this.session = session;
    this.consumer = consumer;
    this.component = "replay of '" + consumer.pattern().value() + "' for " + consumer.id();
  }

  /** Finds the start position and starts reading. */
  static Mono<LogReplay> start(PostgresSession session, LogConsumer consumer) {
    LogReplay replay = new LogReplay(session, consumer);
    return startOf(session, consumer.options().startFrom()).map(start -> {
      replay.reader = new LogReader(session, replay.component, start, null, replay::handle).start(true);
      return replay;
    });
  }

  /**
   * Where a reader starting at {@code position} begins: the start for {@code earliest}; for the latest event, the
   * head below the horizon with the snapshot of that moment; for {@code at(time)}, the earlier of that head and just
   * before the first row appended at or after the time.
   */
  static Mono<ReadStart> startOf(PostgresSession session, StartPosition position) {
    if (position instanceof StartPosition.Earliest) {
      return Mono.just(ReadStart.EARLIEST);
    }
    Instant time = position instanceof StartPosition.At at ? at.time() : null;
    // one statement: the head, the first row at or after the time and the snapshot must be of one moment
    return session.database().withConnection(c -> LogDatabase.firstRow(time == null
            ? c.createStatement(session.log().startAtHead)
            : c.createStatement(session.log().startAtTime).bind(0, OffsetDateTime.ofInstant(time, ZoneOffset.UTC)),
        (row, meta) -> {
          String tx = row.get("tx", String.class);
          LogCursor cursor = tx == null ? LogCursor.START : new LogCursor(tx, row.get("position", Long.class));
          return new ReadStart(cursor, row.get("snapshot", String.class), time);
        }));
  }

  private Mono<Void> handle(List<LogRow> rows) {
    List<LogItem<LogRow>> items = rows.stream().map(row -> row.classify(consumer.pattern(), session.codec())).toList();
    return Lanes.settle(items, LogItem::lane, this::settle, Math.max(1, consumer.concurrency())).then();
  }

  private Mono<Boolean> settle(LogItem<LogRow> item) {
    if (item.isPassedBy()) {
      return Mono.just(true);
    }
    if (item.event() == null) {
      session.events().dropped(null, item.entry().where() + " is not a readable event for " + component + ": "
          + item.problem());
      return Mono.just(true);
    }
    Event<Object> event = item.event();
    return consumer.deliver(event).flatMap(outcome -> {
      if (outcome instanceof Delivery.Failed failed && failed.letter() != null) {
        Event<Object> letter = session.stamp(failed.letter());
        return session.append(letter, session.codec().encodeToString(letter), null)
            .then(Mono.fromRunnable(() -> {
              session.appendedForAll();
              consumer.deadLettered(event.id(), "dead-lettered to '" + letter.topic() + "'");
            }))
            .onErrorResume(error -> {
              consumer.deadLettered(event.id(), "not dead-lettered to '" + letter.topic() + "': "
                  + Failures.describe(error));
              return Mono.empty();
            })
            .thenReturn(true);
      }
      return Mono.just(outcome != Delivery.Returned.INSTANCE);
    });
  }

  /** Wakes the reader: the log grew. */
  @Override
  public void wake() {
    LogReader current = reader;
    if (current != null) {
      current.wake();
    }
  }

  @Override
  public long passesStarted() {
    LogReader current = reader;
    return current == null ? 0 : current.passesStarted();
  }

  @Override
  public long lastCaughtUpPass() {
    LogReader current = reader;
    return current == null ? 0 : current.lastCaughtUpPass();
  }

  /** Completes once the reader stopped. */
  Mono<Void> ended() {
    LogReader current = reader;
    return current == null ? Mono.empty() : current.ended();
  }

  /** Stops after the batch in hand. */
  @Override
  public void dispose() {
    LogReader current = reader;
    if (current != null) {
      current.dispose();
    }
  }

  @Override
  public boolean isDisposed() {
    LogReader current = reader;
    return current != null && current.isDisposed();
  }
}
