package io.fluxbus.r2dbc;

import io.fluxbus.DeadLetterHeaders;
import io.fluxbus.Event;
import io.fluxbus.StartPosition;
import io.fluxbus.internal.VisibleForTesting;
import io.fluxbus.internal.log.Lanes;
import io.fluxbus.internal.log.LeaseClock;
import io.fluxbus.internal.log.LogItem;
import io.fluxbus.spi.Delivery;
import io.fluxbus.spi.LogConsumer;
import io.r2dbc.spi.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * This bus's member of a durable consumer group (a group name on a pattern): members on every bus of the schema
 * share the group's partitions through leases on the database clock ({@code group_leases}, fair share by live
 * members), so a partition has one owner at a time and each event goes to one member.
 *
 * <p>A pass rebalances (when it holds nothing, when asked to, or at most every {@link
 * PostgresSettings#rebalanceInterval()}), then reads batches from the cursors of the partitions it owns and hands
 * them to the {@link LogConsumer} in per-key {@link Lanes}, batch after batch while they come back full, until a
 * rebalance is due: then the pass ends and the next one rebalances first, so catching up never keeps a member from
 * sharing. Once a batch is settled it acknowledges it
 * ({@link AckBatch}): each partition's cursor moves past the longest settled prefix, guarded by owner and fence, and
 * the dead letters of that prefix are appended in the same statement. A heartbeat renews the leases every third of
 * the lease while a batch is in hand. A member that dies stops renewing; after its lease another member continues
 * from the last acknowledged row, so what it had in hand is delivered again (at-least-once). Disposing finishes the
 * batch in hand, then releases the leases (so another member, or this bus restarted, continues at once).
 */
final class GroupMember implements Disposable, LogFollower {

  private static final AtomicLong MEMBERS = new AtomicLong();
  private static final int RENEW = 0;
  private static final int REBALANCE = 1;
  private static final int LEAVE = 2;
  /** How often what settled of a batch in hand is acknowledged. */
  private static final Duration ACK_INTERVAL = Duration.ofMillis(100);

  private final PostgresSession session;
  private final LogConsumer consumer;
  private final String group;
  private final String pattern;
  private final String member;
  private final String component;
  private final PassLoop loop;
  private final Sinks.Empty<Void> left = Sinks.empty();
  private volatile Set<Integer> owned = Set.of();
  private volatile boolean rebalanceNow = true;
  private volatile boolean halted;
  private final Sinks.Empty<Void> stopBeating = Sinks.empty();
  private long lastRebalance;
  private volatile long lastCaughtUpPass;
  /** What this member can prove it holds by its own clock; checked before each hand-out. */
  private final LeaseClock clock;
  private volatile boolean leasesFrozen;

  private GroupMember(PostgresSession session, LogConsumer consumer) {
    this.session = session;
    this.consumer = consumer;
    this.group = consumer.group().orElseThrow();
    this.pattern = consumer.pattern().value();
    this.member = session.origin() + "#" + MEMBERS.incrementAndGet();
    this.component = "group '" + group + "' on '" + pattern + "'";
    this.loop = new PassLoop(this::pass, session.settings().pollInterval(), session.timers());
    this.clock = LeaseClock.forLease(session.settings().groupLease());
  }

  /**
   * Creates the group's partitions at its {@code startFrom} if it is new (an existing group keeps its cursors), then
   * starts competing for partitions and reading.
   */
  static Mono<GroupMember> start(PostgresSession session, LogConsumer consumer) {
    GroupMember started = new GroupMember(session, consumer);
    StartPosition from = consumer.options().startFrom();
    return session.database().update(c -> bindPosition(c.createStatement(session.groups().create(from))
            .bind(0, started.group).bind(1, started.pattern), from))
        .then(Mono.fromCallable(() -> {
          started.run();
          return started;
        }));
  }

  /** Binds the time of an {@code at(time)} position as {@code $3}. */
  static Statement bindPosition(Statement statement, StartPosition position) {
    return position instanceof StartPosition.At at
        ? statement.bind(2, OffsetDateTime.ofInstant(at.time(), ZoneOffset.UTC)) : statement;
  }

  private void run() {
    loop.start(true);
    var every = session.settings().groupLease().dividedBy(3);
    // stopping ends the ticks, not a renewal in flight: a query is never cancelled midway
    Flux.interval(every, every, session.timers())
        .onBackpressureDrop()
        .takeUntilOther(stopBeating.asMono())
        .concatMap(tick -> leases(RENEW).onErrorResume(error -> Mono.empty()), 1)
        .subscribe();
    loop.ended().then(Mono.defer(this::leave)).subscribe(null, error -> left.tryEmitEmpty(), left::tryEmitEmpty);
  }

  /** The group and pattern this member serves. */
  boolean serves(String group, String pattern) {
    return this.group.equals(group) && this.pattern.equals(pattern);
  }

  /** Asks for a pass soon (the log grew, or partitions were released). Any thread. */
  @Override
  public void wake() {
    loop.wake();
  }

  @Override
  public long passesStarted() {
    return loop.passesStarted();
  }

  /** The latest pass that read every partition this member held to its end; a member holding none is caught up. */
  @Override
  public long lastCaughtUpPass() {
    return lastCaughtUpPass;
  }

  /** Asks for a rebalance in the next pass, and the pass soon (the group was reset). */
  void rebalanceSoon() {
    rebalanceNow = true;
    loop.wake();
  }

  private Mono<Void> pass() {
    long number = loop.passesStarted();
    long now = System.nanoTime();
    // cleared before the call, so that a request arriving while it runs is kept for the next pass
    boolean asked = rebalanceNow;
    rebalanceNow = false;
    boolean due = asked || owned.isEmpty() || rebalanceDue(now);
    Mono<Void> rebalanced = due ? leases(REBALANCE).doOnSuccess(held -> lastRebalance = now).then() : Mono.empty();
    return session.reported(component, "reading again from the last acknowledged event", rebalanced
        .then(Mono.defer(() -> owned.isEmpty() ? Mono.just(false)
            : batch().expand(full -> full && !loop.isDisposed() ? nextBatch() : Mono.empty())
                .reduce((earlier, last) -> last)))
        .doOnNext(full -> {
          if (!full) {
            lastCaughtUpPass = number;
          }
        })
        .doOnError(error -> rebalanceNow = true));
  }

  /**
   * The next batch of a pass that is catching up, unless a rebalance is due: then the pass ends, with nothing in
   * hand, and the next pass starts at once and rebalances first. So a member with a backlog still gives up its
   * surplus and takes expired partitions every {@link PostgresSettings#rebalanceInterval()}.
   */
  private Mono<Boolean> nextBatch() {
    if (rebalanceNow || rebalanceDue(System.nanoTime())) {
      loop.wake();
      return Mono.empty();
    }
    return batch();
  }

  private boolean rebalanceDue(long now) {
    return now - lastRebalance >= session.settings().rebalanceInterval().toNanos();
  }

  /** Calls {@code group_leases}; the partitions this member holds afterwards replace {@link #owned}. */
  private Mono<Set<Integer>> leases(int mode) {
    if (halted || (leasesFrozen && mode == RENEW)) {
      return Mono.empty();
    }
    return Mono.defer(() -> {
      long sentAt = LeaseClock.beforeCall();
      return session.database().withConnectionMany(c -> Flux.from(c.createStatement(session.groups().leases)
                  .bind(0, group).bind(1, pattern).bind(2, member)
                  .bind(3, (double) session.settings().groupLease().toMillis()).bind(4, mode).execute())
              .flatMap(result -> result.map((row, meta) -> row.get("held_partition", Integer.class))))
          .collect(TreeSet<Integer>::new, Set::add)
          .map(held -> {
            Set<Integer> now = Set.copyOf(held);
            own(now, mode == LEAVE ? "the member leaves the group" : "its lease was taken or ran out");
            if (mode == LEAVE) {
              clock.clear();
            } else {
              clock.granted(now, sentAt);
              now.forEach(partition -> session.events().connected(component + " partition " + partition));
            }
            return now;
          });
    });
  }

  /** Reads, settles and acknowledges one batch; emits whether a partition filled its share (more may follow). */
  private Mono<Boolean> batch() {
    int limit = session.settings().batchSize();
    return read(limit).flatMap(rows -> {
      if (rows.isEmpty()) {
        return Mono.just(false);
      }
      List<LogItem<LogRow>> items = rows.stream()
          .map(row -> row.classify(consumer.pattern(), session.codec())).toList();
      LeaseClock.Batch fence = clock.batch(partition -> session.events().disconnected(component + " partition "
          + partition, "its lease ran out by this member's clock (the process may have been paused); events of the "
          + "partition it read are left to the member that holds it now, from the last acknowledged one"));
      AckProgress progress = new AckProgress(items);
      List<Integer> indices = IntStream.range(0, items.size()).boxed().toList();
      Mono<Void> settled = Lanes.settle(indices, i -> items.get(i).lane(),
              i -> settle(items.get(i), fence).doOnNext(outcome -> progress.settled(i, outcome)),
              Math.max(1, consumer.concurrency()))
          .then()
          .cache();
      // what settled is acknowledged every ACK_INTERVAL while the batch is in hand, and the rest at its end, one
      // acknowledgement at a time: a crash redelivers what was in hand, not the whole batch
      // an interim acknowledgement that fails is only retried by the next one: the batch's lanes run on, and the pass
      // must not end (and read the rows again) while they do
      return Flux.interval(ACK_INTERVAL, ACK_INTERVAL, session.timers())
          .onBackpressureDrop()
          .takeUntilOther(settled)
          .concatMap(tick -> acknowledge(progress).onErrorResume(error -> Mono.empty()), 1)
          .then(settled)
          .then(Mono.defer(() -> acknowledge(progress)))
          .thenReturn(AckBatch.anyPartitionFull(rows, limit));
    });
  }

  private Mono<List<LogRow>> read(int limit) {
    return session.database().withConnectionMany(c -> Flux.from(c.createStatement(session.groups().read)
                .bind(0, group).bind(1, pattern).bind(2, member).bind(3, limit).execute())
            .flatMap(result -> result.map((row, meta) -> new LogRow(
                new LogCursor(row.get("tx", String.class), row.get("position", Long.class)),
                row.get("partition_no", Integer.class), row.get("fence", Long.class), null,
                row.get("topic", String.class), Boolean.TRUE.equals(row.get("before_start", Boolean.class)),
                row.get("cloud_event", String.class)))))
        .collectList();
  }

  private Mono<AckBatch.Outcome> settle(LogItem<LogRow> item, LeaseClock.Batch fence) {
    if (item.isPassedBy()) {
      return Mono.just(AckBatch.Outcome.PASSED);
    }
    if (!fence.allows(item.entry().partition())) {
      return Mono.just(AckBatch.Outcome.RETURNED);
    }
    if (item.event() == null) {
      session.events().dropped(null, item.entry().where() + " is not a readable event for " + component + ": "
          + item.problem() + "; kept as a dead letter");
      return Mono.just(AckBatch.Outcome.letter(
          item.entry().undecodableLetter(item.problem(), Map.of(DeadLetterHeaders.GROUP, group)), null));
    }
    Event<Object> event = item.event();
    return consumer.deliver(event).map(outcome -> {
      if (outcome instanceof Delivery.Failed failed) {
        return failed.deadLetter().map(letter -> AckBatch.Outcome.letter(letter, event.id()))
            .orElse(AckBatch.Outcome.PASSED);
      }
      return outcome == Delivery.Handled.INSTANCE ? AckBatch.Outcome.PASSED : AckBatch.Outcome.RETURNED;
    });
  }

  private Mono<Void> acknowledge(AckProgress progress) {
    if (halted) {
      return Mono.empty();
    }
    AckBatch batch = progress.next();
    if (batch.isEmpty()) {
      return Mono.empty();
    }
    return batch.execute(session, group, pattern, member)
        .doOnNext(acked -> {
          progress.acknowledged(acked);
          if (!acked.containsAll(batch.partitions())) {
            // a reset or another member took a partition over: it reads from the cursor it knows
            rebalanceNow = true;
          }
          if (batch.appendedLetters(acked)) {
            session.appendedForAll();
          }
          batch.reportLetters(consumer, acked);
        })
        .then();
  }

  /** Leaves the group: releases this member's partitions and membership (nothing after {@link #halt()}). */
  Mono<Void> leave() {
    stopBeating.tryEmitEmpty();
    if (halted) {
      return Mono.empty();
    }
    return leases(LEAVE).onErrorResume(error -> Mono.empty())
        .then(Mono.fromRunnable(() -> own(Set.of(), "the member leaves the group")));
  }

  /**
   * Replaces {@link #owned}, then reports the partitions gained and lost ({@code PARTITIONS_ASSIGNED} /
   * {@code PARTITIONS_REVOKED}) outside the lock (lifecycle subscribers run in the emitting thread).
   */
  private void own(Set<Integer> now, String whyLost) {
    Set<Integer> before;
    synchronized (this) {
      before = owned;
      owned = now;
    }
    session.events().partitionsRevoked(pattern, consumer.id(), group,
        before.stream().filter(partition -> !now.contains(partition)).toList(), whyLost);
    session.events().partitionsAssigned(pattern, consumer.id(), group,
        now.stream().filter(partition -> !before.contains(partition)).toList());
  }

  /** Who it is, what it holds, and how many passes began and ended. */
  @Override
  public String toString() {
    return "GroupMember{" + member + " of " + component + ", owns " + owned + ", passes " + loop.passesStarted()
        + "/" + loop.passesEnded() + (halted ? ", halted" : "") + (loop.isDisposed() ? ", disposed" : "") + "}";
  }

  /** Completes once the member has left: its last pass ended and its partitions are released. */
  Mono<Void> ended() {
    return left.asMono();
  }

  /** Stops or resumes renewing the leases, as a frozen process would; for tests of fencing. */
  @VisibleForTesting
  void freezeLeases(boolean frozen) {
    leasesFrozen = frozen;
  }

  /** Stops where it is, as if its process died: no acknowledging, no renewing, no releasing. */
  void halt() {
    halted = true;
    stopBeating.tryEmitEmpty();
    loop.dispose();
  }

  /** Stops after the batch in hand is settled and acknowledged, then leaves. */
  @Override
  public void dispose() {
    loop.dispose();
  }

  @Override
  public boolean isDisposed() {
    return loop.isDisposed();
  }
}
