package io.fluxbus.redis;

import io.fluxbus.DeadLetterHeaders;
import io.fluxbus.Event;
import io.fluxbus.internal.DeadLetters;
import io.fluxbus.internal.VisibleForTesting;
import io.fluxbus.internal.log.Lanes;
import io.fluxbus.internal.log.LeaseClock;
import io.fluxbus.internal.log.LogItem;
import io.fluxbus.spi.Delivery;
import io.fluxbus.spi.LogConsumer;
import io.lettuce.core.Consumer;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
final class GroupMember implements Disposable {

  private static final Duration RETRY_DELAY = Duration.ofMillis(200);

  private final StreamsSession session;
  private final LogConsumer consumer;
  private final String group;
  private final String name;
  private final Consumer<String> me;
  private final String component;
  private final GroupLeases leases;
  private final Sinks.Empty<Void> ended = Sinks.empty();
  /** Partition to the id after which its own pending entries are read again; loop only. */
  private final Map<Integer, String> recovering = new HashMap<>();
  private volatile boolean disposed;
  private volatile boolean settleFailed;
  private volatile StatefulRedisConnection<String, byte[]> connection;

  private GroupMember(StreamsSession session, LogConsumer consumer) {
    this.session = session;
    this.consumer = consumer;
    this.group = consumer.group().orElseThrow();
    this.name = redisGroup(group, consumer.pattern().value());
    this.me = Consumer.from(name, session.origin());
    this.component = "group '" + group + "' on '" + consumer.pattern().value() + "'";
    // touched only by the member's loop, which also runs every rebalance
    this.leases = new GroupLeases(session, consumer, name, component, partition -> recovering.put(partition, "0-0"));
  }

  /** The Redis consumer group of a durable group: its name and pattern. */
  static String redisGroup(String group, String pattern) {
    return group + "|" + pattern;
  }

  /**
   * Creates the group on every partition at its start position if it is new (an existing group keeps its place),
   * opens the reading connection and starts.
   */
  static Mono<GroupMember> start(StreamsSession session, LogConsumer consumer) {
    GroupMember member = new GroupMember(session, consumer);
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
    leases.startHeartbeat();
  }

  private Mono<Void> cycle() {
    return leases.rebalanceIfDue()
        .doOnSuccess(done -> recovering.keySet().retainAll(leases.owned()))
        .then(Mono.defer(() -> leases.owned().isEmpty()
            ? Mono.delay(leases.rebalanceInterval(), session.timers()).then()
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
          leases.rebalanceSoon();
          Mono<Void> recreate = String.valueOf(error.getMessage()).startsWith("NOGROUP")
              // the group or its streams vanished (a restart without persistence, XGROUP DESTROY): read what is
              // there rather than lose what comes before the next append
              ? create(session, name, "0").onErrorResume(ignored -> Mono.empty())
              : Mono.empty();
          return recreate.then(Mono.delay(RETRY_DELAY, session.timers())).then();
        });
  }

  private void recoverAll() {
    for (Integer partition : leases.owned()) {
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
    XReadArgs.StreamOffset<String>[] offsets = leases.owned().stream()
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
    // pipelines it), and the batch ends when every acknowledgement has been answered. Partitions whose lease this
    // member could not prove during the batch hand out nothing more, so a key never goes on past a held-back event.
    LeaseClock.Batch fence = leases.batch(partition -> session.events().disconnected(component + " partition "
        + partition, "its lease ran out by this member's clock (the process may have been paused); entries of the "
        + "partition it read stay pending for the member that holds it now"));
    Mono<Void> handled = Lanes.settle(items, LogItem::lane, item -> settle(item, fence),
            Math.max(1, consumer.concurrency()))
        .flatMap(Mono::when);
    return Mono.when(acknowledged, handled).then(Mono.defer(() -> {
      if (settleFailed) {
        // an acknowledgement may not have arrived: read the pending entries again rather than lose track of them
        settleFailed = false;
        recoverAll();
      }
      // entries held back for want of a lease stay pending for this consumer: if it still holds (or regains) the
      // partition, it must read them again, in order, before new ones; if another member took it, it claimed them
      fence.heldBack().forEach(partition -> recovering.put(partition, "0-0"));
      return Mono.empty();
    }));
  }

  /**
   * Hands one entry over; emits, once the event is handled, the acknowledgement (or dead letter) already sent, for the
   * batch to wait on.
   */
  private Mono<Mono<Void>> settle(LogItem<StreamEntry> work, LeaseClock.Batch fence) {
    StreamEntry entry = work.entry();
    if (!fence.allows(session.keys().partitionOfLog(entry.stream()))) {
      return Mono.just(Mono.empty());
    }
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

  /** Acknowledges an entry, unless another consumer has claimed it meanwhile (then it delivers it again). */
  private Mono<Void> ack(StreamEntry entry) {
    return StreamScripts.ACK.integer(session.commands(), List.of(entry.stream()), name, session.origin(), entry.id())
        .doOnNext(acked -> {
          if (acked < 0) {
            refused(entry);
          }
        })
        .then()
        .onErrorResume(this::settleFailed);
  }

  private void refused(StreamEntry entry) {
    session.events().disconnected(component + " partition " + session.keys().partitionOfLog(entry.stream()),
        "acknowledging entry " + entry.id() + " was refused: another member claimed it after this member's lease "
            + "ran out, and delivers it again");
  }

  private Mono<Void> deadLetter(StreamEntry entry, Event<Object> letter, String eventId) {
    Event<Object> stamped = session.stamp(letter);
    String json = session.codec().encodeToString(stamped);
    return StreamScripts.DEAD_LETTER.integer(session.commands(),
            List.of(entry.stream(), session.keys().logFor(stamped)), name, entry.id(), json, stamped.topic(),
            session.streams().maxLenArgument(), session.origin())
        .doOnNext(acknowledged -> {
          if (acknowledged < 0) {
            refused(entry);
            return;
          }
          consumer.deadLettered(eventId != null ? eventId : entry.id(),
              acknowledged == 1 ? "dead-lettered to '" + stamped.topic() + "' with its acknowledgement"
                  : "not dead-lettered: another member had already acknowledged it");
        })
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
    leases.stopHeartbeat();
    if (session.halted() || session.superseded(this, name)) {
      // halted: as if dead; superseded: a newer member of this bus holds the leases under the same name
      return session.connections().close(connection);
    }
    return leases.release().then(session.connections().close(connection));
  }

  /** Stops or resumes renewing the leases, as a frozen process would. */
  @VisibleForTesting
  void freezeLeases(boolean frozen) {
    leases.freeze(frozen);
  }

  /** Stops where it is, as if its process died: no settling, no leaving (see {@code StreamsSession#halt}). */
  void halt() {
    disposed = true;
    leases.stopHeartbeat();
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
    // a member that is leaving renews nothing more: it settles what it has in hand, then releases the leases
    leases.stopHeartbeat();
    StatefulRedisConnection<String, byte[]> reading = connection;
    if (reading != null) {
      session.connections().close(reading).subscribe(null, error -> { });
    }
  }

  @Override
  public boolean isDisposed() {
    return disposed;
  }
}
