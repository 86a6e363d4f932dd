package io.fluxbus.redis;

import io.fluxbus.DeadLetterHeaders;
import io.fluxbus.Event;
import io.fluxbus.internal.DeadLetters;
import io.fluxbus.internal.log.Lanes;
import io.fluxbus.internal.log.LogItem;
import io.fluxbus.spi.Delivery;
import io.fluxbus.spi.LogConsumer;
import io.lettuce.core.Consumer;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.XClaimArgs;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XPendingArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.models.stream.PendingMessage;
import io.lettuce.core.output.NestedMultiOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * This bus's member of a durable consumer group: a Redis consumer group on every partition of the log, named
 * {@code <group>|<pattern>}, read by the consumer named after the bus (so a restarted bus finds the events it had in
 * hand). Members anywhere share the partitions out through leases ({@link StreamScripts#LEASES}): a member reads
 * only the partitions it holds, so events with the same key are never handled by two members at once, and keeps
 * them in order by handing them to the {@link LogConsumer} one at a time per key.
 *
 * <p>A cycle rebalances (at most every fifth of {@code claimIdle}), reads a batch with {@code XREADGROUP} on a
 * connection of its own, hands it over, and acknowledges each event after its handler completed ({@code XACK}), or
 * dead-letters it together with the acknowledgement ({@link StreamScripts#DEAD_LETTER}). When it takes a partition
 * over, it first claims the partition's pending entries ({@code XAUTOCLAIM}, in id order) and reads its own pending
 * entries again before new ones; it does the same after any failed command, since a lost reply may have left read
 * entries pending. A heartbeat renews the leases every third of {@code claimIdle} while a batch is in hand; a member
 * that dies stops renewing, and its partitions pass to another member within {@code claimIdle}.
 */
final class StreamGroup implements Disposable {

  private static final Duration RETRY_DELAY = Duration.ofMillis(200);
  private static final int CLAIM_COUNT = 100;

  private final StreamsSession session;
  private final LogConsumer consumer;
  private final String group;
  private final String name;
  private final Consumer<String> me;
  private final List<String> leaseKeys;
  private final String component;
  private final Sinks.Empty<Void> ended = Sinks.empty();
  /** Partition to the id after which its own pending entries are read again; loop only. */
  private final Map<Integer, String> recovering = new HashMap<>();
  private volatile Set<Integer> owned = Set.of();
  private volatile boolean disposed;
  private long lastRebalance;
  private volatile boolean settleFailed;
  private volatile StatefulRedisConnection<String, byte[]> connection;
  private Disposable heartbeat;

  private StreamGroup(StreamsSession session, LogConsumer consumer) {
    this.session = session;
    this.consumer = consumer;
    this.group = consumer.group().orElseThrow();
    this.name = redisGroup(group, consumer.pattern().value());
    this.me = Consumer.from(name, session.origin());
    StreamKeys keys = session.keys();
    List<String> scriptKeys = new ArrayList<>();
    scriptKeys.add(keys.members(name));
    scriptKeys.addAll(keys.leases(name));
    this.leaseKeys = List.copyOf(scriptKeys);
    this.component = "group '" + group + "' on '" + consumer.pattern().value() + "'";
  }

  /** The Redis consumer group of a durable group: its name and pattern. */
  static String redisGroup(String group, String pattern) {
    return group + "|" + pattern;
  }

  /**
   * Creates the group on every partition at its start position if it is new (an existing group keeps its place),
   * opens the reading connection and starts.
   */
  static Mono<StreamGroup> start(StreamsSession session, LogConsumer consumer) {
    StreamGroup member = new StreamGroup(session, consumer);
    return create(session, member.name, StreamPositions.of(consumer.options().startFrom()))
        .then(session.connections().connect(new RedisConnections.Role("group:" + member.name, "group",
            "its member reads on once it is back, starting with the events it had in hand")))
        .map(opened -> {
          member.connection = opened;
          member.run();
          return member;
        });
  }

  /** Creates a Redis consumer group on every partition, at {@code position} where it does not exist yet. */
  static Mono<Void> create(StreamsSession session, String name, String position) {
    return Flux.fromIterable(session.keys().logs())
        .concatMap(log -> session.commands()
            .xgroupCreate(XReadArgs.StreamOffset.from(log, position), name, XGroupCreateArgs.Builder.mkstream())
            .onErrorResume(error -> String.valueOf(error.getMessage()).startsWith("BUSYGROUP"), error -> Mono.empty()))
        .then();
  }

  private void run() {
    Mono.defer(this::cycle)
        .repeat(() -> !disposed)
        .then(Mono.defer(this::leave))
        .onErrorResume(error -> Mono.empty())
        .subscribe(null, null, ended::tryEmitEmpty);
    Duration every = session.streams().claimIdle().dividedBy(3);
    heartbeat = Flux.interval(every, every, session.timers())
        .onBackpressureDrop()
        .concatMap(tick -> renew(), 1)
        .subscribe();
  }

  private Mono<Void> cycle() {
    return rebalanceIfDue()
        .then(Mono.defer(() -> owned.isEmpty()
            ? Mono.delay(rebalanceInterval(), session.timers()).then()
            : read().flatMap(this::handle)))
        .doOnSuccess(done -> session.events().connected(component))
        .onErrorResume(error -> {
          if (disposed) {
            return Mono.empty();
          }
          session.events().disconnected(component, session.connections().describe(error)
              + "; reading again from its pending events");
          recoverAll();
          // rebalance first thing next time: a partition whose claim failed is still to be claimed
          lastRebalance = 0;
          Mono<Void> recreate = String.valueOf(error.getMessage()).startsWith("NOGROUP")
              // the group or its streams vanished (a restart without persistence, XGROUP DESTROY): read what is
              // there rather than lose what comes before the next append
              ? create(session, name, "0").onErrorResume(ignored -> Mono.empty())
              : Mono.empty();
          return recreate.then(Mono.delay(RETRY_DELAY, session.timers())).then();
        });
  }

  private Duration rebalanceInterval() {
    Duration interval = session.streams().claimIdle().dividedBy(5);
    return interval.compareTo(Duration.ofMillis(20)) < 0 ? Duration.ofMillis(20) : interval;
  }

  /**
   * Takes this member's fair share of the partitions. A partition it gained is read only once every entry pending
   * there is claimed to this member; if claiming fails, the partition stays unread and is claimed again at the next
   * rebalance, so a dead member's entries are never left behind. In the partitions it kept, it claims the entries
   * another consumer has left pending for longer than a lease (a member that read on after losing its lease and then
   * died).
   */
  private Mono<Void> rebalanceIfDue() {
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
        owned = Set.copyOf(still);
        kept = owned;
      }
      recovering.keySet().retainAll(held);
      Mono<Void> taken = Flux.fromIterable(gained)
          .concatMap(partition -> claimPending(session.keys().log(partition))
              .then(forgetIdleConsumers(session.keys().log(partition)))
              .then(Mono.fromRunnable(() -> {
                synchronized (this) {
                  Set<Integer> more = new TreeSet<>(owned);
                  more.add(partition);
                  owned = Set.copyOf(more);
                }
                recovering.put(partition, "0-0");
              })))
          .then();
      Mono<Void> swept = Flux.fromIterable(kept)
          .concatMap(partition -> claimAbandoned(partition)
              .doOnNext(claimed -> {
                if (claimed) {
                  recovering.put(partition, "0-0");
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
    return StreamScripts.LEASES.integers(session.commands(), leaseKeys, session.origin(),
            Long.toString(session.streams().claimIdle().toMillis()), rebalance)
        .map(held -> {
          Set<Integer> partitions = new TreeSet<>();
          held.forEach(partition -> partitions.add(partition.intValue()));
          return partitions;
        });
  }

  /**
   * Renews the leases held while a batch is in hand (and the membership, which it never re-creates: a member that
   * left stays gone); partitions whose lease was lost are read no more.
   */
  private Mono<Void> renew() {
    if (disposed) {
      return Mono.empty();
    }
    return leases("0")
        .doOnNext(held -> {
          synchronized (this) {
            if (!held.containsAll(owned)) {
              Set<Integer> kept = new TreeSet<>(owned);
              kept.retainAll(held);
              owned = Set.copyOf(kept);
            }
          }
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

  private void recoverAll() {
    for (Integer partition : owned) {
      recovering.put(partition, "0-0");
    }
  }

  @SuppressWarnings("unchecked")
  private Mono<List<StreamEntry>> read() {
    StreamsSettings streams = session.streams();
    if (!recovering.isEmpty()) {
      Map<Integer, String> from = new LinkedHashMap<>(recovering);
      XReadArgs.StreamOffset<String>[] offsets = from.entrySet().stream()
          .map(entry -> XReadArgs.StreamOffset.from(session.keys().log(entry.getKey()), entry.getValue()))
          .toArray(XReadArgs.StreamOffset[]::new);
      return connection.reactive().xreadgroup(me, XReadArgs.Builder.count(streams.readCount()), offsets)
          .map(StreamEntry::of)
          .collectList()
          .doOnNext(batch -> {
            Map<String, String> last = new HashMap<>();
            batch.forEach(entry -> last.put(entry.stream(), entry.id()));
            from.keySet().forEach(partition -> {
              String lastId = last.get(session.keys().log(partition));
              if (lastId == null) {
                recovering.remove(partition);
              } else {
                recovering.put(partition, lastId);
              }
            });
          });
    }
    XReadArgs.StreamOffset<String>[] offsets = owned.stream()
        .map(partition -> XReadArgs.StreamOffset.lastConsumed(session.keys().log(partition)))
        .toArray(XReadArgs.StreamOffset[]::new);
    return connection.reactive()
        .xreadgroup(me, XReadArgs.Builder.count(streams.readCount()).block(streams.blockTimeout()), offsets)
        .map(StreamEntry::of)
        .collectList();
  }

  /**
   * Hands a batch over: entries of other topics are acknowledged at once, the rest go in lanes by key (by topic
   * when keyless), each lane one event at a time, as many lanes at once as the members can take.
   */
  private Mono<Void> handle(List<StreamEntry> batch) {
    Map<String, List<String>> otherTopics = new HashMap<>();
    List<LogItem<StreamEntry>> items = new ArrayList<>();
    for (StreamEntry entry : batch) {
      if (entry.topic() != null && !entry.trimmed() && !consumer.pattern().matches(entry.topic())) {
        otherTopics.computeIfAbsent(entry.stream(), stream -> new ArrayList<>()).add(entry.id());
        continue;
      }
      LogItem<StreamEntry> item = entry.classify(session.codec());
      if (item.event() != null && !consumer.pattern().matches(item.event().topic())) {
        otherTopics.computeIfAbsent(entry.stream(), stream -> new ArrayList<>()).add(entry.id());
        continue;
      }
      items.add(item);
    }
    Mono<Void> acknowledged = Flux.fromIterable(otherTopics.entrySet())
        .flatMap(ids -> session.commands().xack(ids.getKey(), name, ids.getValue().toArray(String[]::new)))
        .then()
        .onErrorResume(this::settleFailed);
    // a lane moves to its next event once the handler is done; the acknowledgement travels meanwhile (Lettuce
    // pipelines it), and the batch ends when every acknowledgement has been answered
    Mono<Void> handled = Lanes.settle(items, LogItem::lane, this::settle, Math.max(1, consumer.concurrency()))
        .flatMap(Mono::when);
    return Mono.when(acknowledged, handled).then(Mono.defer(() -> {
      if (settleFailed) {
        // an acknowledgement may not have arrived: read the pending entries again rather than lose track of them
        settleFailed = false;
        recoverAll();
      }
      return Mono.empty();
    }));
  }

  /**
   * Hands one entry over; emits, once the event is handled, the acknowledgement (or dead letter) already sent, for the
   * batch to wait on.
   */
  private Mono<Mono<Void>> settle(LogItem<StreamEntry> work) {
    StreamEntry entry = work.entry();
    if (entry.trimmed()) {
      session.events().dropped(null, "entry " + entry.id() + " of '" + entry.stream() + "' was trimmed before "
          + component + " handled it");
      return Mono.just(sent(ack(entry)));
    }
    if (work.event() == null) {
      Event<Object> letter = DeadLetters.undecodable(entry.topic(), entry.stream() + "/" + entry.id(),
          entry.eventText(), work.problem(), Map.of(DeadLetterHeaders.GROUP, group));
      return Mono.just(sent(deadLetter(entry, letter, null)));
    }
    return consumer.deliver(work.event()).map(outcome -> {
      if (outcome instanceof Delivery.Failed failed) {
        return sent(failed.deadLetter().map(letter -> deadLetter(entry, letter, work.event().id()))
            .orElseGet(() -> ack(entry)));
      }
      return outcome == Delivery.Handled.INSTANCE ? sent(ack(entry)) : Mono.<Void>empty();
    });
  }

  /** Sends a command now and returns its completion, which never signals an error. */
  private static Mono<Void> sent(Mono<Void> command) {
    Mono<Void> running = command.cache();
    running.subscribe();
    return running;
  }

  private Mono<Void> ack(StreamEntry entry) {
    return session.commands().xack(entry.stream(), name, entry.id()).then().onErrorResume(this::settleFailed);
  }

  private Mono<Void> deadLetter(StreamEntry entry, Event<Object> letter, String eventId) {
    Event<Object> stamped = session.stamp(letter);
    String json = session.codec().encodeToString(stamped);
    return StreamScripts.DEAD_LETTER.integer(session.commands(),
            List.of(entry.stream(), session.keys().logFor(stamped)), name, entry.id(), json, stamped.topic(),
            session.streams().maxLenArgument())
        .doOnNext(acknowledged -> consumer.deadLettered(eventId != null ? eventId : entry.id(),
            acknowledged == 1 ? "dead-lettered to '" + stamped.topic() + "' with its acknowledgement"
                : "not dead-lettered: another member had already acknowledged it"))
        .then()
        .onErrorResume(this::settleFailed);
  }

  private Mono<Void> settleFailed(Throwable error) {
    settleFailed = true;
    session.events().disconnected(component, "acknowledging failed: " + session.connections().describe(error));
    return Mono.empty();
  }

  /** Leaves: releases the leases and the membership, and closes the reading connection. */
  private Mono<Void> leave() {
    heartbeat.dispose();
    if (session.halted() || session.superseded(this, name)) {
      // halted: as if dead; superseded: a newer member of this bus holds the leases under the same name
      return session.connections().close(connection);
    }
    return StreamScripts.LEAVE.integer(session.commands(), leaseKeys, session.origin())
        .onErrorResume(error -> Mono.empty())
        .then(session.connections().close(connection));
  }

  /** Stops where it is, as if its process died: no settling, no leaving (see {@code StreamsSession#halt}). */
  void halt() {
    disposed = true;
    heartbeat.dispose();
  }

  /** Completes once the member left: its last cycle ended and its leases are released. */
  Mono<Void> ended() {
    return ended.asMono();
  }

  /**
   * Stops: closes the reading connection, which ends a blocking read at once (entries it had read stay pending for
   * whoever takes the partition next); events in hand are settled first, then the member leaves.
   */
  @Override
  public void dispose() {
    disposed = true;
    StatefulRedisConnection<String, byte[]> reading = connection;
    if (reading != null) {
      session.connections().close(reading).subscribe(null, error -> { });
    }
  }

  @Override
  public boolean isDisposed() {
    return disposed;
  }

  /** One entry of a batch, decoded when it can be. */
}
