package io.fluxbus.redis;

import io.fluxbus.internal.VisibleForTesting;
import io.fluxbus.internal.log.LeaseClock;
import io.fluxbus.spi.LogConsumer;
import io.lettuce.core.Consumer;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.XClaimArgs;
import io.lettuce.core.XPendingArgs;
import io.lettuce.core.models.stream.PendingMessage;
import io.lettuce.core.output.NestedMultiOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Which partitions of the log one {@link GroupMember} holds: leases shared out among a group's members anywhere
 * ({@link StreamScripts#LEASES}, fair shares, rebalanced at most every fifth of {@code claimIdle}), renewed by a
 * heartbeat every third of {@code claimIdle}, released when the member leaves. Taking a partition over claims its
 * pending entries first ({@code XAUTOCLAIM}, in id order); in partitions it keeps, it claims entries other consumers
 * left pending for longer than a lease. Whenever the member must read a partition's pending entries again from the
 * start, it is told through {@code readAgain}. Thread-safe: the member's loop rebalances, the heartbeat renews.
 */
final class GroupLeases {

  private static final int CLAIM_COUNT = 100;
  private static final String LOST = "its lease was taken or ran out";

  private final StreamsSession session;
  private final String name;
  private final Consumer<String> me;
  private final List<String> leaseKeys;
  private final String component;
  private final IntConsumer readAgain;
  private final LogConsumer consumer;
  private final LeaseClock clock;
  private volatile Set<Integer> owned = Set.of();
  private volatile boolean frozen;
  private long lastRebalance;
  private volatile Disposable heartbeat = () -> { };

  /**
   * @param consumer the group's subscription, named in the partitions-assigned and -revoked lifecycle events
   * @param name the Redis consumer group
   * @param readAgain told each partition whose pending entries this member must read again from the start
   */
  GroupLeases(StreamsSession session, LogConsumer consumer, String name, String component, IntConsumer readAgain) {
    this.session = session;
    this.consumer = consumer;
    this.name = name;
    this.me = Consumer.from(name, session.origin());
    StreamKeys keys = session.keys();
    List<String> scriptKeys = new ArrayList<>();
    scriptKeys.add(keys.members(name));
    scriptKeys.addAll(keys.leases(name));
    this.leaseKeys = List.copyOf(scriptKeys);
    this.component = component;
    this.readAgain = readAgain;
    this.clock = LeaseClock.forLease(session.streams().claimIdle());
  }

  /** The lease check for one batch in hand; see {@link LeaseClock#batch}. */
  LeaseClock.Batch batch(IntConsumer lost) {
    return clock.batch(lost);
  }

  /** Stops or resumes renewing, as a frozen process would; for tests of fencing. */
  @VisibleForTesting
  void freeze(boolean frozen) {
    this.frozen = frozen;
  }

  /**
   * Reports of changes of {@link #owned}, queued in the order they were decided (under this member's lock) and given
   * to the lifecycle in that order outside it, by one thread at a time: the timer's renewal and the member's
   * rebalance may decide concurrently, and a lifecycle subscriber must never see a partition gained before an earlier
   * loss of it.
   */
  private final Queue<Runnable> reports = new ConcurrentLinkedQueue<>();
  private final AtomicInteger reporting = new AtomicInteger();

  private void flushReports() {
    if (reporting.getAndIncrement() != 0) {
      return;
    }
    int missed = 1;
    do {
      for (Runnable report; (report = reports.poll()) != null; ) {
        report.run();
      }
      missed = reporting.addAndGet(-missed);
    } while (missed != 0);
  }

  /**
   * Replaces {@link #owned}; callers hold this object's lock. Returns the report of the partitions gained and lost
   * ({@code PARTITIONS_ASSIGNED} / {@code PARTITIONS_REVOKED}), for the caller to queue in {@link #reports} and give
   * out after it let the lock go (lifecycle subscribers run in the emitting thread).
   */
  private Runnable own(Set<Integer> now, String whyLost) {
    Set<Integer> before = owned;
    owned = Set.copyOf(now);
    List<Integer> lost = before.stream().filter(partition -> !now.contains(partition)).toList();
    List<Integer> gained = now.stream().filter(partition -> !before.contains(partition)).toList();
    String pattern = consumer.pattern().value();
    String group = consumer.group().orElseThrow();
    return () -> {
      session.events().partitionsRevoked(pattern, consumer.id(), group, lost, whyLost);
      session.events().partitionsAssigned(pattern, consumer.id(), group, gained);
    };
  }

  /** The partitions held now. */
  Set<Integer> owned() {
    return owned;
  }

  /** Rebalances at the next {@link #rebalanceIfDue()}, e.g. after a failed claim. */
  void rebalanceSoon() {
    lastRebalance = 0;
  }

  /** How long a member that holds nothing waits before it asks for partitions again. */
  Duration rebalanceInterval() {
    Duration interval = session.streams().claimIdle().dividedBy(5);
    return interval.compareTo(Duration.ofMillis(20)) < 0 ? Duration.ofMillis(20) : interval;
  }

  /** Starts renewing the leases every third of {@code claimIdle}. */
  void startHeartbeat() {
    Duration every = session.streams().claimIdle().dividedBy(3);
    heartbeat = Flux.interval(every, every, session.timers())
        .onBackpressureDrop()
        .concatMap(tick -> renew(), 1)
        .subscribe();
  }

  /** Stops renewing: the leases expire within {@code claimIdle} unless released. */
  void stopHeartbeat() {
    heartbeat.dispose();
  }

  /** Releases the leases and the membership; never signals an error. */
  Mono<Void> release() {
    clock.clear();
    synchronized (this) {
      reports.add(own(Set.of(), "the member leaves the group"));
    }
    flushReports();
    return StreamScripts.LEAVE.integer(session.commands(), leaseKeys, session.origin())
        .onErrorResume(error -> Mono.empty())
        .then();
  }

  /**
   * Takes this member's fair share of the partitions. A partition it gained is read only once every entry pending
   * there is claimed to this member; if claiming fails, the partition stays unread and is claimed again at the next
   * rebalance, so a dead member's entries are never left behind. In the partitions it kept, it claims the entries
   * another consumer has left pending for longer than a lease (a member that read on after losing its lease and then
   * died).
   */
  Mono<Void> rebalanceIfDue() {
    long now = System.nanoTime();
    if (!owned.isEmpty() && now - lastRebalance < rebalanceInterval().toNanos()) {
      return Mono.empty();
    }
    lastRebalance = now;
    return leases("1").flatMap(held -> {
      Set<Integer> gained = new TreeSet<>(held);
      Set<Integer> kept;
      synchronized (this) {
        gained.removeAll(owned);
        Set<Integer> still = new TreeSet<>(owned);
        still.retainAll(held);
        reports.add(own(still, LOST));
        kept = owned;
      }
      flushReports();
      Mono<Void> taken = Flux.fromIterable(gained)
          .concatMap(partition -> claimPending(session.keys().log(partition))
              .then(forgetIdleConsumers(session.keys().log(partition)))
              .then(Mono.fromRunnable(() -> {
                synchronized (this) {
                  Set<Integer> more = new TreeSet<>(owned);
                  more.add(partition);
                  reports.add(own(more, LOST));
                }
                flushReports();
                readAgain.accept(partition);
              })))
          .then();
      Mono<Void> swept = Flux.fromIterable(kept)
          .concatMap(partition -> claimAbandoned(partition)
              .doOnNext(claimed -> {
                if (claimed) {
                  readAgain.accept(partition);
                }
              }))
          .then();
      return taken.then(swept);
    });
  }

  /**
   * Claims the entries of a partition this member holds that other consumers have had pending for longer than a
   * lease; emits whether it claimed any (they are then read from this member's pending list).
   */
  private Mono<Boolean> claimAbandoned(int partition) {
    String log = session.keys().log(partition);
    Duration lease = session.streams().claimIdle();
    return session.commands()
        .xpending(log, new XPendingArgs<String>().group(name).range(Range.create("-", "+"))
            .limit(Limit.from(CLAIM_COUNT)).idle(lease))
        .filter(pending -> !session.origin().equals(pending.getConsumer()))
        .map(PendingMessage::getId)
        .collectList()
        .flatMap(ids -> ids.isEmpty() ? Mono.just(false)
            : session.commands().xclaim(log, me, XClaimArgs.Builder.minIdleTime(lease).justid(),
                    ids.toArray(String[]::new))
                .count()
                .map(claimed -> claimed > 0));
  }

  private Mono<Set<Integer>> leases(String rebalance) {
    return Mono.defer(() -> {
      long sentAt = LeaseClock.beforeCall();
      return StreamScripts.LEASES.integers(session.commands(), leaseKeys, session.origin(),
              Long.toString(session.streams().claimIdle().toMillis()), rebalance)
          .map(held -> {
            Set<Integer> partitions = new TreeSet<>();
            held.forEach(partition -> partitions.add(partition.intValue()));
            clock.granted(partitions, sentAt);
            partitions.forEach(partition -> session.events().connected(component + " partition " + partition));
            return partitions;
          });
    });
  }

  /**
   * Renews the leases held while a batch is in hand (and the membership, which it never re-creates: a member that
   * left stays gone); partitions whose lease was lost are read no more.
   */
  private Mono<Void> renew() {
    if (frozen) {
      return Mono.empty();
    }
    return leases("0")
        .doOnNext(held -> {
          synchronized (this) {
            if (!held.containsAll(owned)) {
              Set<Integer> kept = new TreeSet<>(owned);
              kept.retainAll(held);
              reports.add(own(kept, LOST));
            }
          }
          flushReports();
        })
        .then()
        .onErrorResume(error -> Mono.empty());
  }

  /** Moves every pending entry of a partition to this member, in id order (the lease keeps others off it). */
  private Mono<Void> claimPending(String log) {
    return claimFrom(log, "0-0")
        .expand(next -> "0-0".equals(next) ? Mono.empty() : claimFrom(log, next))
        .then();
  }

  /**
   * One {@code XAUTOCLAIM ... JUSTID} step; returns the next cursor. Sent raw, because Lettuce drops the reply's third
   * part (Redis 7+): the pending entries whose data was trimmed, which Redis removes from the pending list then. They
   * are reported as lost here, as they would otherwise vanish without a word.
   */
  private Mono<String> claimFrom(String log, String start) {
    CommandArgs<String, byte[]> args = new CommandArgs<>(RedisConnections.CODEC).addKey(log).add(name)
        .add(session.origin()).add(0).add(start).add("COUNT").add(CLAIM_COUNT).add("JUSTID");
    return session.commands()
        .<List<Object>>dispatch(CommandType.XAUTOCLAIM, new NestedMultiOutput<>(RedisConnections.CODEC), args)
        .next()
        .map(reply -> {
          if (reply.size() > 2 && reply.get(2) instanceof List<?> deleted) {
            deleted.forEach(id -> session.events().dropped(null, "entry " + text(id) + " of '" + log
                + "' was trimmed before " + component + " handled it"));
          }
          return text(reply.get(0));
        });
  }

  private static String text(Object value) {
    return value instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : String.valueOf(value);
  }

  /**
   * Once a taken-over partition's pending entries are ours, consumers of buses gone for ten leases have nothing
   * left there and are removed from its group.
   */
  private Mono<Void> forgetIdleConsumers(String log) {
    return StreamScripts.FORGET_IDLE_CONSUMERS.integer(session.commands(), List.of(log), name, session.origin(),
            Long.toString(session.streams().claimIdle().multipliedBy(10).toMillis()))
        .then();
  }
}
