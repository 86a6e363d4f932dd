package io.fluxbus.r2dbc;

import io.fluxbus.BusException;
import io.fluxbus.CodecException;
import io.fluxbus.EngineUnavailableException;
import io.fluxbus.Event;
import io.fluxbus.PublishResult;
import io.fluxbus.StartPosition;
import io.fluxbus.codec.EventCodec;
import io.fluxbus.internal.Failures;
import io.fluxbus.internal.VisibleForTesting;
import io.fluxbus.internal.delivery.LocalEventBus;
import io.fluxbus.internal.log.AppendingSession;
import io.fluxbus.internal.log.EngineEvents;
import io.fluxbus.spi.LogConsumer;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.pool.ConnectionPoolConfiguration;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * One connected period of a {@link PostgresEventBus}, from {@code start()} to {@code stop()}: the pool, the
 * scheduler of the session's timers, the thread that hands events to this bus's ordinary subscriptions, the tail of
 * the log (a {@link LogReader} from the head at start,
 * handing other buses' events to the core's ordinary subscriptions), the LISTEN connection and the coalesced
 * NOTIFY, the readers of durable groups ({@link GroupMember}) and replays ({@link LogReplay}), and the upkeep:
 * delayed events and retention. Timers run on the session's own scheduler, never on {@code Schedulers.parallel()},
 * so that tests in virtual time do not stop them; sync subscribers run on a thread of their own
 * ({@link #delivery()}), so that one that blocks delays other subscribers, never heartbeats, polls or timeouts.
 * Thread-safe.
 */
final class PostgresSession implements AppendingSession<String> {

  private final PostgresSettings settings;
  private final LogStatements log;
  private final GroupStatements groups;
  private final LocalEventBus local;
  private final EngineEvents events;
  private final String origin;
  private final Scheduler timers;
  private final Scheduler delivery;
  private final LogDatabase database;
  private final ConnectionFactory listening;
  private final WakeupNotifier notifier;
  private final LogAppender appender;
  private final Set<GroupMember> members = ConcurrentHashMap.newKeySet();
  private final Set<LogReplay> replays = ConcurrentHashMap.newKeySet();
  private final Disposable.Swap listener = Disposables.swap();
  private volatile LogReader tail;
  private volatile DelayedEvents delayed;
  private volatile LogRetention retention;
  private volatile PassLoop retaining;
  private volatile PassLoop promoting;
  private volatile boolean halted;

  private PostgresSession(PostgresSettings settings, LocalEventBus local, EngineEvents events, String origin) {
    this.settings = settings;
    this.log = new LogStatements(settings.schema(), settings.partitions());
    this.groups = new GroupStatements(log);
    this.local = local;
    this.events = events;
    this.origin = origin;
    String name = settings.engine() + ":" + settings.schema().schema;
    this.timers = Schedulers.newSingle("fluxbus-" + settings.engine() + "-postgres", true);
    this.delivery = Schedulers.newSingle("fluxbus-" + settings.engine() + "-postgres-delivery", true);
    ConnectionPool pool = new ConnectionPool(ConnectionPoolConfiguration
        .builder(ConnectionFactories.get(settings.address().options("fluxbus:" + name)))
        .name("fluxbus-" + settings.engine())
        .initialSize(settings.poolInitialSize())
        .maxSize(settings.poolMaxSize())
        .build());
    this.database = new LogDatabase(pool, timers);
    this.listening = ConnectionFactories.get(settings.address().options("fluxbus-listener:" + name));
    this.notifier = new WakeupNotifier(pool, settings.schema(), origin, settings.notifyInterval(), timers);
    this.appender = new LogAppender(this::insert, settings.appendConnections());
  }

  /**
   * Connects, creates or migrates the schema, positions the tail at the head of the log (events committed before
   * are not handed to ordinary subscriptions) and starts it, the listener and the upkeep.
   *
   * @return the open session; or an {@link EngineUnavailableException} naming {@code host:port/database} (never the
   *     password), a {@link io.fluxbus.ConfigException} when the schema has another partition count, after
   *     everything opened so far was released
   */
  static Mono<PostgresSession> open(PostgresSettings settings, LocalEventBus local, EngineEvents events,
                                    String origin) {
    return Mono.defer(() -> {
      PostgresSession session = new PostgresSession(settings, local, events, origin);
      return session.connect().thenReturn(session)
          .onErrorResume(error -> session.close(Duration.ZERO).then(Mono.error(session.unavailable(error))));
    });
  }

  private Mono<Void> connect() {
    return new SchemaMigrator(settings.schema(), log).migrate(database)
        .then(LogReplay.startOf(this, StartPosition.latest()))
        .doOnNext(head -> tail = new LogReader(this, "reading the log", head, origin,
            new LocalFanOut(this)::handle)
            // nothing is past the head yet: the first wake-up or poll reads
            .start(false))
        .then(Mono.fromRunnable(() -> {
          delayed = new DelayedEvents(this);
          promoting = delayed.start();
          listener.update(new WakeupListener(listening, settings.schema(), this::wakeAll, events, timers, origin)
              .start());
          if (settings.retention() != null) {
            retention = new LogRetention(this, settings.retention());
            retaining = retention.start();
          }
        }));
  }

  private RuntimeException unavailable(Throwable error) {
    if (error instanceof BusException bus) {
      return bus;
    }
    return new EngineUnavailableException("PostgreSQL engine '" + settings.engine() + "' cannot use "
        + settings.address().display() + " (schema '" + settings.schema().schema + "'): "
        + Failures.describe(error), error);
  }

  /**
   * Appends one event on a pooled connection, in a transaction of its own or shared with concurrent appends
   * ({@link LogAppender}).
   *
   * @param origin the appending bus, whose tail then passes the row by, or null for every bus to read it
   * @return completes once committed; an {@link EngineUnavailableException} when the append failed (then nothing
   *     was stored)
   */
  Mono<Void> append(Event<?> stamped, String json, String origin) {
    return appender.append(stamped, json, origin).onErrorMap(this::unavailable);
  }

  /** Inserts a batch of the appender: columns of event ids, topics, keys, origins and JSON; emits rows inserted. */
  private Mono<Long> insert(List<String[]> columns) {
    if (columns.get(0).length == 1) {
      // a lone event (a quiet bus): the plain one-row insert costs the server less than unnest
      return database.update(c -> {
        Statement insert = c.createStatement(log.append).bind(0, columns.get(0)[0]).bind(1, columns.get(1)[0]);
        LogDatabase.bindNullable(insert, 2, columns.get(2)[0], String.class);
        LogDatabase.bindNullable(insert, 3, columns.get(3)[0], String.class);
        return insert.bind(4, columns.get(4)[0]);
      });
    }
    return database.update(c -> c.createStatement(log.appendBatch).bind(0, columns.get(0)).bind(1, columns.get(1))
        .bind(2, columns.get(2)).bind(3, columns.get(3)).bind(4, columns.get(4)));
  }

  /** Appends one event on {@code connection}, in whatever transaction it has open; completes once inserted. */
  Mono<Void> append(Connection connection, Event<?> stamped, String json, String origin) {
    Statement insert = connection.createStatement(log.append).bind(0, stamped.id()).bind(1, stamped.topic());
    LogDatabase.bindNullable(insert, 2, stamped.key(), String.class);
    LogDatabase.bindNullable(insert, 3, origin, String.class);
    insert.bind(4, json);
    return LogDatabase.rowsUpdated(insert).then();
  }

  /**
   * This bus published an event and handed it on to its ordinary subscriptions: notify other buses (coalesced) and
   * wake this bus's groups and replays (its tail has nothing to do with it).
   */
  void published() {
    notifier.request();
    wakeGroupsAndReplays();
  }

  /** This bus appended rows no bus has handed on (delayed events, dead letters): wake every reader, here too. */
  void appendedForAll() {
    notifier.request();
    wakeAll();
  }

  private void wakeAll() {
    LogReader current = tail;
    if (current != null) {
      current.wake();
    }
    wakeGroupsAndReplays();
  }

  private void wakeGroupsAndReplays() {
    members.forEach(GroupMember::wake);
    replays.forEach(LogReplay::wake);
  }

  /** Stores an event to be appended at {@code due}; see {@link DelayedEvents}. */
  Mono<PublishResult> schedule(Event<?> stamped, String json, Instant due) {
    return delayed.schedule(stamped, json, due).onErrorMap(this::unavailable);
  }

  /** Starts reading the log for a group or a replaying subscription; see {@code DurableLog#attach}. */
  Mono<Disposable> attach(LogConsumer consumer) {
    if (consumer.group().isPresent()) {
      return GroupMember.start(this, consumer)
          .map(member -> {
            members.add(member);
            member.ended().subscribe(null, null, () -> {
              members.remove(member);
              // its partitions are free: members of the same group on this bus take them at once
              members.forEach(GroupMember::rebalanceSoon);
            });
            return (Disposable) member;
          })
          .onErrorMap(this::unavailable);
    }
    return LogReplay.start(this, consumer)
        .map(replay -> {
          replays.add(replay);
          replay.ended().subscribe(null, null, () -> replays.remove(replay));
          return (Disposable) replay;
        })
        .onErrorMap(this::unavailable);
  }

  /**
   * Moves a group to {@code position} on every partition (creating it there if it does not exist) and evicts its
   * owners; members anywhere continue from there after the batch in hand.
   */
  Mono<Void> resetGroup(String group, String pattern, StartPosition position) {
    return database.update(c -> GroupMember.bindPosition(c.createStatement(groups.reset(position))
            .bind(0, group).bind(1, pattern), position))
        .onErrorMap(this::unavailable)
        .doOnNext(moved -> {
          notifier.request();
          members.stream().filter(member -> member.serves(group, pattern)).forEach(GroupMember::rebalanceSoon);
        })
        .then();
  }

  /** Stops or resumes every group member's lease renewals, as a frozen process would. */
  @VisibleForTesting
  void freezeLeases(boolean frozen) {
    members.forEach(member -> member.freezeLeases(frozen));
  }

  /**
   * Simulates this process dying: every reader stops where it is, no group settles or releases
   * anything, and the connections close; other members take over only when the leases expire.
   */
  @VisibleForTesting
  Mono<Void> halt() {
    halted = true;
    members.forEach(GroupMember::halt);
    replays.forEach(LogReplay::dispose);
    LogReader current = tail;
    if (current != null) {
      current.dispose();
    }
    listener.dispose();
    for (PassLoop upkeeping : new PassLoop[] {promoting, retaining}) {
      if (upkeeping != null) {
        upkeeping.dispose();
      }
    }
    return database.close();
  }

  /**
   * Stops the tail, the upkeep and every reader, waits up to {@code wait} for groups to settle what they have in
   * hand and leave, releases the partitions of those that did not, closes the pool, then waits up to {@code wait}
   * for the delivery thread to run what is queued on it before closing it.
   */
  @Override
  public Mono<Void> close(Duration wait) {
    return Mono.defer(() -> {
      listener.dispose();
      List<Mono<Void>> endings = new ArrayList<>();
      notifier.flush();
      endings.add(notifier.idle());
      for (PassLoop upkeeping : new PassLoop[] {promoting, retaining}) {
        if (upkeeping != null) {
          upkeeping.dispose();
          endings.add(upkeeping.ended());
        }
      }
      LogReader current = tail;
      if (current != null) {
        current.dispose();
        endings.add(current.ended());
      }
      members.forEach(member -> {
        member.dispose();
        endings.add(member.ended());
      });
      replays.forEach(replay -> {
        replay.dispose();
        endings.add(replay.ended());
      });
      Mono<Void> released = Mono.defer(() -> halted ? Mono.<Void>empty()
          : Flux.fromIterable(List.copyOf(members)).flatMap(GroupMember::leave).then());
      // hand-offs still queued on the delivery thread run and end (the core refuses them now), rather than never
      // signalling; also when releasing or closing failed
      Mono<Void> deliveryDrained = Mono.defer(() -> delivery.disposeGracefully().timeout(wait, timers)
          .onErrorResume(error -> Mono.empty()));
      return Mono.when(endings)
          .timeout(wait, Mono.empty(), timers)
          .then(released)
          .then(database.close())
          .onErrorResume(error -> deliveryDrained.then(Mono.error(error)))
          .then(deliveryDrained)
          .doFinally(signal -> {
            timers.dispose();
            delivery.dispose();
          });
    });
  }

  @Override
  public String encode(Event<?> stamped) {
    return settings.codec().encodeToString(stamped);
  }

  @Override
  public Mono<Void> append(Event<?> stamped, String json) {
    return append(stamped, json, origin);
  }

  /**
   * Wakes the other readers and hands the committed event, as stored, to this bus's ordinary subscriptions, on the
   * delivery thread; an event no subscription here matches completes on the driver's thread instead, which saves two
   * thread hand-offs per publish where nothing local waits for it. An event that cannot be read back is reported
   * as dropped and delivered to nobody here, as other buses do with it.
   */
  @Override
  public Mono<PublishResult> handOn(Event<?> stamped, String json) {
    published();
    Event<Object> stored;
    try {
      stored = settings.codec().decode(json);
    } catch (CodecException unreadable) {
      events.dropped(stamped.id(), "event '" + stamped.id() + "' on '" + stamped.topic() + "' is stored but cannot "
          + "be read back: " + unreadable.getMessage() + "; no subscriber of bus '" + settings.engine() + "' got it");
      return Mono.just(new PublishResult(stamped.id(), 0, 0));
    }
    return local.publish(stored, delivery);
  }

  /** Fills in the bus's source and the current time where an event has none. */
  <T> Event<T> stamp(Event<T> event) {
    return event.withDefaults(settings.local().source(), Instant.now());
  }

  /**
   * One pass of a background component, reported on the bus's lifecycle: {@code ENGINE_DISCONNECTED} (once per
   * outage) when it fails, with what happens next ({@code afterwards}), and {@code ENGINE_RECONNECTED} when a later
   * pass succeeds. Never signals an error, so the component's loop goes on.
   */
  Mono<Void> reported(String component, String afterwards, Mono<?> pass) {
    return events.pass(component, afterwards, pass, Failures::describe);
  }

  PostgresSettings settings() {
    return settings;
  }

  LogStatements log() {
    return log;
  }

  GroupStatements groups() {
    return groups;
  }

  LogDatabase database() {
    return database;
  }

  LocalEventBus local() {
    return local;
  }

  EngineEvents events() {
    return events;
  }

  EventCodec codec() {
    return settings.codec();
  }

  /** Runs the session's timers: polls, heartbeats, timeouts. Nothing that may block runs here. */
  @Override
  public Scheduler timers() {
    return timers;
  }

  /**
   * The one thread that hands events to this bus's ordinary subscriptions, in order: its own publishes once
   * committed, and other buses' events read by the tail. Sync subscribers run here and may block it.
   */
  Scheduler delivery() {
    return delivery;
  }

  /** The bus's id: the origin of its appends, the prefix of its group members' ids. */
  String origin() {
    return origin;
  }

  /** The tail of the log. */
  @VisibleForTesting
  LogReader tail() {
    return tail;
  }

  /** The tail, this bus's group members and its replays, as they are now. */
  @VisibleForTesting
  List<LogFollower> followers() {
    List<LogFollower> followers = new ArrayList<>();
    LogReader current = tail;
    if (current != null) {
      followers.add(current);
    }
    followers.addAll(members);
    followers.addAll(replays);
    return followers;
  }

  /** This bus's group members, described. */
  @VisibleForTesting
  String describeMembers() {
    return members.toString();
  }

  /** Retention, when configured. */
  @VisibleForTesting
  LogRetention retention() {
    return retention;
  }
}
