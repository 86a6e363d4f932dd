package io.fluxbus.redis;

import io.fluxbus.CodecException;
import io.fluxbus.Event;
import io.fluxbus.PublishResult;
import io.fluxbus.StartPosition;
import io.fluxbus.Topics;
import io.fluxbus.codec.EventCodec;
import io.fluxbus.internal.VisibleForTesting;
import io.fluxbus.internal.delivery.LocalEventBus;
import io.fluxbus.internal.log.AppendingSession;
import io.fluxbus.internal.log.EngineEvents;
import io.fluxbus.spi.Delivery;
import io.fluxbus.spi.LogConsumer;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.XTrimArgs;
import io.lettuce.core.api.reactive.RedisReactiveCommands;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * One connected period of a bus in streams mode, from {@code start()} to {@code stop()}: the command connection
 * (acknowledgements, scripts), the append connection ({@link StreamAppender}), the bus's tail of the log (a
 * {@link StreamReader} from the head of every partition at start, which hands events other buses appended to the
 * core's subscriptions), the readers of
 * durable groups ({@link GroupMember}) and replaying subscriptions, and the upkeep: delayed events appended when
 * due, and retention by time. Timers run on a scheduler of the session's own, never on {@code Schedulers.parallel()},
 * so tests in virtual time do not stop them.
 */
final class StreamsSession implements AppendingSession<byte[]> {

  static final RedisConnections.Role COMMANDS = new RedisConnections.Role("commands", "command",
      "publishes fail with EngineUnavailableException until it is back, and groups read their pending events again");
  static final RedisConnections.Role APPENDS = new RedisConnections.Role("appends", "append",
      "publishes fail with EngineUnavailableException until it is back");
  static final RedisConnections.Role TAIL = new RedisConnections.Role("tail", "log tail",
      "reading resumes where it left off once it is back");

  private static final Duration PROMOTE_EVERY = Duration.ofMillis(100);
  private static final Duration TRIM_EVERY = Duration.ofSeconds(10);
  private static final int PROMOTE_BATCH = 100;

  private final RedisSettings settings;
  private final StreamKeys keys;
  private final PubSubChannels names;
  private final RedisConnections connections;
  private final EngineEvents events;
  private final LocalEventBus local;
  private final EventCodec codec;
  private final Scheduler timers;
  private final Set<GroupMember> groups = ConcurrentHashMap.newKeySet();
  /** The newest member of each Redis group on this bus; an older one still finishing leaves its leases alone. */
  private final Map<String, GroupMember> newest = new ConcurrentHashMap<>();
  private final Set<StreamReader> replays = ConcurrentHashMap.newKeySet();
  private final Disposable.Composite upkeep = Disposables.composite();
  private volatile RedisReactiveCommands<String, byte[]> commands;
  private volatile StreamAppender appends;
  private volatile StreamReader tail;
  private volatile boolean halted;

  private StreamsSession(RedisSettings settings, PubSubChannels names, LocalEventBus local, EventCodec codec,
                         EngineEvents events) {
    this.settings = settings;
    this.keys = new StreamKeys(settings.namespace(), settings.streams().partitions());
    this.names = names;
    this.connections = new RedisConnections(settings, names, events);
    this.events = events;
    this.local = local;
    this.codec = codec;
    this.timers = Schedulers.newSingle("fluxbus-" + settings.engine() + "-streams", true);
  }

  /**
   * Connects, positions the tail at the head of every partition (events appended before are not delivered to
   * the bus's ordinary subscriptions) and starts it and the upkeep.
   *
   * @return the open session, or an {@link io.fluxbus.EngineUnavailableException} naming the address (never the
   *     password), after everything opened so far has been released
   */
  static Mono<StreamsSession> open(RedisSettings settings, PubSubChannels names, LocalEventBus local,
                                   EventCodec codec, EngineEvents events) {
    return Mono.defer(() -> {
      StreamsSession session = new StreamsSession(settings, names, local, codec, events);
      return session.connect()
          .thenReturn(session)
          .onErrorResume(error -> session.close(Duration.ZERO)
              .then(Mono.error(session.connections.unavailable("connect to", error))));
    });
  }

  private Mono<Void> connect() {
    return connections.connect(COMMANDS)
        .doOnNext(connection -> commands = connection.reactive())
        .then(connections.connect(APPENDS))
        .doOnNext(connection -> appends = new StreamAppender(connection, timers, connections.completions()))
        .then(heads())
        .flatMap(heads -> StreamReader.start(this, TAIL, "reading the log", heads, this::deliverLocally))
        .doOnNext(reader -> tail = reader)
        .then(Mono.fromRunnable(() -> {
          upkeep.add(Flux.interval(PROMOTE_EVERY, PROMOTE_EVERY, timers)
              .onBackpressureDrop()
              .concatMap(tick -> promoteDue(), 1)
              .subscribe());
          if (settings.streams().retention() != null) {
            upkeep.add(Flux.interval(TRIM_EVERY, TRIM_EVERY, timers)
                .onBackpressureDrop()
                .concatMap(tick -> trimExpired(), 1)
                .subscribe());
          }
          connections.arm();
        }));
  }

  /** The id of the last entry of every partition now (the start of each for an empty one). */
  private Mono<Map<String, String>> heads() {
    return Flux.fromIterable(keys.logs())
        .concatMap(log -> commands.xrevrange(log, Range.unbounded(), Limit.from(1))
            .map(StreamMessage::getId)
            .next()
            .defaultIfEmpty(StreamPositions.START)
            .map(id -> Map.entry(log, id)))
        .collectMap(Map.Entry::getKey, Map.Entry::getValue, LinkedHashMap::new);
  }

  /** Hands an entry another bus appended to this bus's ordinary subscriptions. */
  private Mono<Void> deliverLocally(StreamEntry entry) {
    if (names.origin().equals(entry.origin()) || entry.trimmed()) {
      // appended by this bus, which delivered it locally at publish
      return Mono.empty();
    }
    if (entry.topic() != null && Topics.isValid(entry.topic()) && local.subscriberCount(entry.topic()) == 0) {
      // nobody here subscribes to it: not worth decoding
      return Mono.empty();
    }
    Event<Object> event = decodeOrReport(entry);
    if (event == null) {
      return Mono.empty();
    }
    return local.publish(event).then().onErrorResume(error -> {
      events.dropped(event.id(), "not delivered locally: " + error.getMessage());
      return Mono.empty();
    });
  }

  /**
   * The entry's event, or null when it is not one this codec reads, which is reported as dropped: an ordinary
   * subscription or a replay has no dead-letter step of its own, and every bus would write one letter each.
   */
  private Event<Object> decodeOrReport(StreamEntry entry) {
    try {
      if (entry.event() == null) {
        throw new CodecException("the entry has no '" + StreamEntry.EVENT + "' field");
      }
      return codec.decode(entry.event());
    } catch (CodecException undecodable) {
      events.dropped(null, "undecodable: entry " + entry.id() + " of '" + entry.stream() + "': "
          + undecodable.getMessage());
      return null;
    }
  }

  /**
   * Appends an event to its partition, trimming per the retention settings.
   *
   * @return completes once stored; an {@link io.fluxbus.EngineUnavailableException} when Redis did not take it
   */
  @Override
  public Mono<Void> append(Event<?> stamped, byte[] body) {
    return append(stamped, body, names.origin()).then();
  }

  @Override
  public byte[] encode(Event<?> stamped) {
    return codec.encode(stamped);
  }

  /** Hands an appended event to this bus's ordinary subscriptions; the tail passes this bus's own entries by. */
  @Override
  public Mono<PublishResult> handOn(Event<?> stamped, byte[] body) {
    return local.publish(stamped);
  }

  /**
   * Appends an event of the engine's own making (a replay's dead letter) that every bus delivers, this one too: it
   * was not delivered here at publish.
   */
  Mono<String> appendForEveryBus(Event<?> stamped, byte[] body) {
    return append(stamped, body, "");
  }

  private Mono<String> append(Event<?> stamped, byte[] body, String origin) {
    StreamsSettings streams = settings.streams();
    XAddArgs args = new XAddArgs();
    if (streams.maxLen() > 0) {
      args.maxlen(streams.maxLen()).approximateTrimming();
    } else if (streams.retention() != null) {
      args.minId(StreamPositions.before(Instant.now().minus(streams.retention()))).approximateTrimming();
    }
    return appends.xadd(keys.logFor(stamped), args, StreamEntry.fields(stamped.topic(), body, origin))
        .onErrorMap(error -> connections.unavailable("append to", error));
  }

  /** Stores an event to be appended at {@code due} by whichever bus runs the upkeep first. */
  Mono<PublishResult> schedule(Event<?> stamped, String json, Instant due) {
    return StreamScripts.SCHEDULE.integer(commands, List.of(keys.delayed(), keys.delayedEvents()), stamped.id(),
            Long.toString(due.toEpochMilli()),
            Integer.toString(keys.partitionOf(stamped.key() != null ? stamped.key() : stamped.topic())),
            stamped.topic(), json)
        .onErrorMap(error -> connections.unavailable("store a delayed event in", error))
        .thenReturn(new PublishResult(stamped.id(), 0, 0));
  }

  private Mono<Void> promoteDue() {
    List<String> scriptKeys = new ArrayList<>(keys.logs().size() + 2);
    scriptKeys.add(keys.delayed());
    scriptKeys.add(keys.delayedEvents());
    scriptKeys.addAll(keys.logs());
    Mono<Long> batch = StreamScripts.PROMOTE.integer(commands, scriptKeys, Integer.toString(PROMOTE_BATCH),
        settings.streams().maxLenArgument());
    return events.pass("delivering delayed events", "trying again in " + PROMOTE_EVERY.toMillis() + " ms",
        batch.expand(appended -> appended >= PROMOTE_BATCH ? batch : Mono.empty()), connections::describe);
  }

  private Mono<Void> trimExpired() {
    String oldest = StreamPositions.before(Instant.now().minus(settings.streams().retention()));
    return events.pass("retention", "trimming again in " + TRIM_EVERY.toSeconds() + " s",
        Flux.fromIterable(keys.logs())
            .concatMap(log -> commands.xtrim(log, XTrimArgs.Builder.minId(oldest).approximateTrimming())),
        connections::describe);
  }

  /** Starts reading the log for a group or a replaying subscription; see {@code DurableLog#attach}. */
  Mono<Disposable> attach(LogConsumer consumer) {
    if (consumer.group().isPresent()) {
      String name = GroupMember.redisGroup(consumer.group().get(), consumer.pattern().value());
      GroupMember previous = newest.get(name);
      // a member of the same group that is still finishing its events reads as this bus's consumer too: let it end
      // (for at most a lease) before a new one reads the same pending entries again
      Mono<Void> previousEnded = previous == null ? Mono.empty()
          : previous.ended().timeout(settings.streams().claimIdle(), Mono.empty(), timers);
      return previousEnded.then(Mono.defer(() -> GroupMember.start(this, consumer)))
          .onErrorMap(error -> connections.unavailable("join group '" + consumer.group().get() + "' in", error))
          .map(group -> {
        groups.add(group);
        newest.put(name, group);
        group.ended().subscribe(null, null, () -> {
          groups.remove(group);
          newest.remove(name, group);
        });
        return group;
      });
    }
    String from = consumer.options().startFrom() instanceof StartPosition.At at ? StreamPositions.before(at.time())
        : StreamPositions.START;
    Map<String, String> positions = new LinkedHashMap<>();
    keys.logs().forEach(log -> positions.put(log, from));
    return StreamReader.start(this, new RedisConnections.Role("replay:" + consumer.id(), "replay",
                "its subscription reads on where it left off once it is back"),
            "replaying for '" + consumer.pattern().value() + "'", positions, entry -> replay(consumer, entry))
        .onErrorMap(error -> connections.unavailable("replay '" + consumer.pattern().value() + "' from", error))
        .map(reader -> {
          replays.add(reader);
          reader.ended().subscribe(null, null, () -> replays.remove(reader));
          return reader;
        });
  }

  private Mono<Void> replay(LogConsumer consumer, StreamEntry entry) {
    if (entry.trimmed() || (entry.topic() != null && !consumer.pattern().matches(entry.topic()))) {
      return Mono.empty();
    }
    Event<Object> event = decodeOrReport(entry);
    if (event == null || !consumer.pattern().matches(event.topic())) {
      return Mono.empty();
    }
    return consumer.deliver(event).flatMap(outcome -> {
      if (outcome instanceof Delivery.Failed failed && failed.letter() != null) {
        Event<Object> letter = stamp(failed.letter());
        return appendForEveryBus(letter, codec.encode(letter))
            .doOnNext(id -> consumer.deadLettered(event.id(), "dead-lettered to '" + letter.topic() + "'"))
            .then()
            .onErrorResume(error -> {
              consumer.deadLettered(event.id(), "not dead-lettered to '" + letter.topic() + "': "
                  + error.getMessage());
              return Mono.empty();
            });
      }
      return Mono.empty();
    });
  }

  /** Moves a group to a position on every partition, creating it there where it does not exist. */
  Mono<Void> resetGroup(String group, String pattern, StartPosition position) {
    String name = GroupMember.redisGroup(group, pattern);
    String id = StreamPositions.of(position);
    return Flux.fromIterable(keys.logs())
        .concatMap(log -> commands.xgroupSetid(XReadArgs.StreamOffset.from(log, id), name)
            .onErrorResume(error -> commands.xgroupCreate(XReadArgs.StreamOffset.from(log, id), name,
                XGroupCreateArgs.Builder.mkstream())))
        .then()
        .onErrorMap(error -> connections.unavailable("reset group '" + group + "' in", error));
  }

  /** Stops or resumes every group member's lease renewals, as a frozen process would. */
  @VisibleForTesting
  void freezeLeases(boolean frozen) {
    groups.forEach(member -> member.freezeLeases(frozen));
  }

  /**
   * Simulates this process dying: every connection is dropped at once, nothing in hand is settled and no
   * lease is released, so other members take over only when the leases expire.
   */
  @VisibleForTesting
  Mono<Void> halt() {
    halted = true;
    upkeep.dispose();
    groups.forEach(GroupMember::halt);
    return connections.close();
  }

  /** Whether a newer member of the same Redis group runs on this bus, so {@code member} must not leave for it. */
  boolean superseded(GroupMember member, String name) {
    GroupMember current = newest.get(name);
    return current != null && current != member;
  }

  /** Whether {@link #halt()} was called. */
  boolean halted() {
    return halted;
  }

  /** Fills in the bus's source and the time where an event has none. */
  Event<Object> stamp(Event<Object> event) {
    return event.withDefaults(settings.local().source(), Instant.now());
  }

  /**
   * Stops the tail, the upkeep and every reader, waits up to {@code wait} for groups to settle what they have in
   * hand and release their leases, then closes every connection.
   */
  @Override
  public Mono<Void> close(Duration wait) {
    return Mono.defer(() -> {
      upkeep.dispose();
      List<Mono<Void>> endings = new ArrayList<>();
      StreamReader reader = tail;
      if (reader != null) {
        reader.dispose();
        endings.add(reader.ended());
      }
      for (GroupMember group : groups) {
        group.dispose();
        endings.add(group.ended());
      }
      for (StreamReader replay : replays) {
        replay.dispose();
        endings.add(replay.ended());
      }
      return Mono.when(endings)
          .timeout(wait, Mono.empty(), timers)
          .then(connections.close())
          .doFinally(signal -> timers.dispose());
    });
  }

  StreamKeys keys() {
    return keys;
  }

  StreamsSettings streams() {
    return settings.streams();
  }

  RedisConnections connections() {
    return connections;
  }

  RedisReactiveCommands<String, byte[]> commands() {
    return commands;
  }

  EngineEvents events() {
    return events;
  }

  @Override
  public Scheduler timers() {
    return timers;
  }

  EventCodec codec() {
    return codec;
  }

  /** The bus's id: its consumer name in every group, and the origin of its entries. */
  String origin() {
    return names.origin();
  }
}
