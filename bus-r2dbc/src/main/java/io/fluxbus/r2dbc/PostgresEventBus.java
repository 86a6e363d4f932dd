package io.fluxbus.r2dbc;

import io.fluxbus.BusNotStartedException;
import io.fluxbus.DurableEventBus;
import io.fluxbus.EngineUnavailableException;
import io.fluxbus.Event;
import io.fluxbus.EventBus;
import io.fluxbus.LifecycleEvent;
import io.fluxbus.PublishResult;
import io.fluxbus.StartPosition;
import io.fluxbus.TopicPattern;
import io.fluxbus.codec.EventCodec;
import io.fluxbus.internal.observation.Observations;
import io.fluxbus.internal.VisibleForTesting;
import io.fluxbus.internal.delivery.LocalEventBus;
import io.fluxbus.internal.log.DurablePublish;
import io.fluxbus.internal.log.EngineEvents;
import io.fluxbus.internal.log.SessionLifecycle;
import io.fluxbus.spi.ForwardingEventBus;
import io.fluxbus.spi.LogConsumer;
import io.micrometer.core.instrument.MeterRegistry;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.Result;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The {@code postgres} engine: a durable, append-only event log in PostgreSQL, shared by every bus on one schema.
 *
 * <p><b>Publishing</b> is lazy, as everywhere in Reactor: nothing happens until the returned {@code Mono} is
 * subscribed; from then on the publish runs to its end, even if its subscriber cancels. The event (CloudEvents
 * JSON, {@link EventCodec}) is appended to its partition (by key; keyless events by topic) in its own transaction;
 * once that commits, other buses are woken through a coalesced {@code NOTIFY}, and the event is handed to this bus's
 * ordinary subscriptions in the form every bus reads back. So
 * a {@link PublishResult} means <em>the event is committed</em>, and {@code delivered}/{@code dropped} count this
 * bus's ordinary subscriptions (memory-engine rules). A failed append signals {@link EngineUnavailableException}
 * and stores nothing.
 *
 * <p><b>Reading.</b> Each bus tails the log from where it started, in transaction-id order below the visibility
 * horizon (never skipping a row that commits late), and hands other buses' events to its ordinary subscriptions;
 * an open transaction anywhere in the cluster delays that until it ends. Subscriptions that name a consumer group,
 * or start at the earliest event or a time, are served from the log ({@link DurableEventBus}): a group's members on
 * every bus share its partitions through leases on the database clock, each event goes to one member, is
 * acknowledged after the handler's {@code Mono} completed (retried per its {@code RetryPolicy} first), dead-lettered
 * together with its acknowledgement, and delivered again after a member died, once its lease expired. Sync
 * subscribers run on the bus's own delivery thread after the database answered, not on the publishing thread; one
 * that blocks holds up the bus's other ordinary subscribers, but never its heartbeats, polls or timeouts.
 *
 * <p><b>Outbox:</b> {@link #publish(Connection, Event)} appends on the caller's connection, inside the caller's
 * transaction: the event exists if and only if that transaction commits.
 *
 * <p>{@link #start()} connects, creates or migrates the schema (safe when processes start at once) and starts
 * tailing at the head of the log; it fails with {@link EngineUnavailableException} naming {@code host:port/database}
 * (never a password). Thread-safe.
 */
public final class PostgresEventBus extends ForwardingEventBus implements DurableEventBus {

  /** The engine type name used in configuration. */
  public static final String TYPE = "postgres";

  private final PostgresSettings settings;
  private final LocalEventBus local;
  private final EngineEvents events;
  private final Flux<LifecycleEvent> lifecycle;
  private final String origin = UUID.randomUUID().toString();
  private final SessionLifecycle<PostgresSession> sessions;

  PostgresEventBus(PostgresSettings settings) {
    this.settings = settings;
    this.local = new LocalEventBus(settings.local(), this::attach);
    this.events = new EngineEvents(settings.engine());
    this.lifecycle = Flux.merge(local.lifecycle(), events.flux());
    this.sessions = new SessionLifecycle<>(settings.engine(), local, settings.local().drainTimeout(),
        () -> PostgresSession.open(settings, local, events, origin));
    // dead letters of ordinary subscriptions go through the log too, so every bus sees them
    local.publishDerivedEventsThrough(this);
  }

  /**
   * Starts configuring a bus for {@code url}: {@code r2dbc:postgresql://user[:password]@host[:port]/database}, the user
   * and password percent-encoded (or given on their own: {@link PostgresEventBusBuilder#user},
   * {@link PostgresEventBusBuilder#password}). The URL is checked by {@link PostgresEventBusBuilder#build()}.
   */
  public static PostgresEventBusBuilder builder(String url) {
    return new PostgresEventBusBuilder(url);
  }

  @Override
  protected EventBus delegate() {
    return local;
  }

  /**
   * Connects, creates or migrates the schema, positions the tail at the head of the log, starts LISTENing,
   * polling and the upkeep, then starts local delivery. Idempotent; concurrent calls share one start.
   *
   * @return completes when running; signals {@link EngineUnavailableException} naming {@code host:port/database}
   *     when the server cannot be used, or {@link io.fluxbus.ConfigException} when the schema was created with
   *     another partition count, leaving the bus stopped
   */
  @Override
  public Mono<Void> start() {
    return sessions.start();
  }

  /**
   * Refuses new publishes ({@link BusNotStartedException}), waits up to {@code drainTimeout} for publishes in
   * flight to be handed on, stops local delivery (durable groups settle what they have in hand, ordinary buffers
   * drain, per the core's rules), then releases the groups' partitions (so another member, or this bus started
   * again, continues at once) and closes the connections. Idempotent. Called while a {@link #start()} is under way,
   * it waits for that start to end, then stops: a bus is never left running by a start that finished after it.
   *
   * @return completes once stopped; signals the error local delivery failed to stop with, after the connections
   *     closed anyway
   */
  @Override
  public Mono<Void> stop() {
    return sessions.stop();
  }

  /**
   * Appends {@code event} to the log in its own transaction and, once committed, hands it to this bus's ordinary
   * subscriptions (as read back from its stored form) and completes. Lazy. Waits first until every log-served
   * subscription made on this bus so far reads the log, so that it sees the event. See the class comment for what
   * the result counts.
   *
   * <p>Once subscribed, a publish runs to its end whatever its subscriber does: cancelling (a {@code timeout()},
   * a disposed subscription) stops waiting for the result, not the append, the wake-up of other buses or the
   * hand-off to this bus's subscriptions. An append already queued may commit, and then every bus, this one
   * included, gets the event.
   *
   * <p>Threads: when a subscription of this bus matches the topic, the hand-off runs on the bus's delivery thread
   * (sync subscribers run there, also after a handler that completed elsewhere), started in the order the appends
   * completed, as for other buses' events, and the result is signalled there or where a wait for room ended;
   * otherwise the result is signalled on the driver's I/O thread that completed the append. Do not block after it.
   *
   * <p>If the stored event cannot be read back with this bus's codec (e.g. its mapper reads less than it writes),
   * the event is committed and other buses report it as unreadable: this bus does the same, with an
   * {@code EVENT_DROPPED} lifecycle event naming it, and completes with a result that delivered it to nobody here.
   *
   * @return the result; signals {@link BusNotStartedException} unless running, {@link io.fluxbus.CodecException}
   *     when the payload cannot be written as JSON, and {@link EngineUnavailableException} when the append fails;
   *     in both latter cases nothing was stored
   * @throws NullPointerException at the call if {@code event} is null
   */
  @Override
  public Mono<PublishResult> publish(Event<?> event) {
    Objects.requireNonNull(event, "event must not be null");
    Observations observations = local.observations();
    return observations == null ? publishObserved(event) : observations.publish(event, this::publishObserved);
  }

  private Mono<PublishResult> publishObserved(Event<?> event) {
    return DurablePublish.publish(sessions, local, settings.local().source(), event);
  }

  /** Publishes {@code Event.of(topic, payload)}; see {@link #publish(Event)}. */
  @Override
  public Mono<PublishResult> publish(String topic, Object payload) {
    return publish(Event.of(topic, payload));
  }

  /**
   * The outbox: appends {@code event} on the caller's {@code connection}, inside whatever transaction the caller has
   * begun on it, and queues a wake-up NOTIFY in the same transaction. The event is stored, and delivered to every
   * bus on the schema (this one included, through its tail), if and only if that transaction commits; on rollback
   * nothing is stored and nothing is notified. The connection is not closed, committed or rolled back here. Lazy.
   *
   * <pre>{@code
   * Mono.usingWhen(connectionFactory.create(), c -> Mono.from(c.beginTransaction())
   *         .then(saveOrder(c, order))
   *         .then(bus.publish(c, Event.of("order.placed", order)))
   *         .then(Mono.from(c.commitTransaction())),
   *     Connection::close);
   * }</pre>
   *
   * @param connection a connection to the same database (any R2DBC PostgreSQL connection, pooled or not)
   * @return the event as stored (source and time filled in); signals {@link BusNotStartedException} unless the bus
   *     runs (its schema must exist), {@link io.fluxbus.CodecException} when the payload cannot be written as JSON,
   *     and the driver's error if the insert fails
   * @throws NullPointerException at the call if an argument is null
   */
  public <T> Mono<Event<T>> publish(Connection connection, Event<T> event) {
    Objects.requireNonNull(connection, "connection must not be null");
    Objects.requireNonNull(event, "event must not be null");
    Observations observations = local.observations();
    return observations == null ? appendObserved(connection, event)
        : observations.publish(event, traced -> appendObserved(connection, traced));
  }

  private <T> Mono<Event<T>> appendObserved(Connection connection, Event<T> event) {
    return Mono.defer(() -> {
      PostgresSession current = sessions.running("publish '" + event.topic() + "'");
      Event<T> stamped = current.stamp(event);
      String json = settings.codec().encodeToString(stamped);
      return current.append(connection, stamped, json, null)
          .then(Flux.from(connection.createStatement(settings.schema().notify).bind(0, settings.schema().channel)
              .execute()).flatMap(Result::getRowsUpdated).then())
          .thenReturn(stamped);
    });
  }

  /**
   * Stores {@code event} in the schema's {@code scheduled} table, to be appended at {@code deliverAt} by whichever
   * bus of the schema promotes it first (each polls every {@code pollInterval}, and this bus also at
   * {@code deliverAt}). See {@link DurableEventBus#publishAt}.
   *
   * @return the result once stored, with nothing delivered yet; {@link BusNotStartedException} unless running,
   *     {@link EngineUnavailableException} when the insert fails (nothing stored)
   */
  @Override
  public Mono<PublishResult> publishAt(Event<?> event, Instant deliverAt) {
    Objects.requireNonNull(event, "event must not be null");
    Objects.requireNonNull(deliverAt, "deliverAt must not be null");
    Observations observations = local.observations();
    return observations == null ? scheduleObserved(event, deliverAt)
        : observations.publish(event, traced -> scheduleObserved(traced, deliverAt));
  }

  private Mono<PublishResult> scheduleObserved(Event<?> event, Instant deliverAt) {
    return Mono.defer(() -> {
      PostgresSession current = sessions.running("publish '" + event.topic() + "' at " + deliverAt);
      Event<?> stamped = current.stamp(event);
      return current.schedule(stamped, settings.codec().encodeToString(stamped), deliverAt);
    });
  }

  /**
   * Moves the consumer group {@code group} on {@code pattern} to {@code position} on every partition, creating it
   * there if it does not exist, and evicts its members' leases: members anywhere finish the batch in hand (whose
   * acknowledgement then moves nothing), take the partitions again and continue from the new position. See
   * {@link DurableEventBus#resetGroup}.
   *
   * @return completes once the new position is committed; {@link BusNotStartedException} unless running,
   *     {@link EngineUnavailableException} when the update fails
   */
  @Override
  public Mono<Void> resetGroup(String group, String pattern, StartPosition position) {
    Objects.requireNonNull(group, "group must not be null");
    TopicPattern parsed = TopicPattern.of(pattern);
    Objects.requireNonNull(position, "position must not be null");
    return Mono.defer(() -> sessions.running("reset group '" + group + "'").resetGroup(group, parsed.value(),
        position));
  }

  /** The log reading of a group or a replaying subscription; see {@code DurableLog}. */
  private Mono<Disposable> attach(LogConsumer consumer) {
    PostgresSession current = sessions.session();
    if (current == null) {
      return Mono.error(sessions.notStarted("subscribe to '" + consumer.pattern().value() + "' with "
          + consumer.group().map(group -> "group '" + group + "'").orElse("a start position")));
    }
    return current.attach(consumer);
  }

  /**
   * The core's lifecycle merged with the engine's: {@code ENGINE_DISCONNECTED} / {@code ENGINE_RECONNECTED} per
   * component (listener, log reads, each group, delayed events, retention), and {@code EVENT_DROPPED} for rows that
   * are not readable events. Hot; costs nothing when nobody listens.
   */
  @Override
  public Flux<LifecycleEvent> lifecycle() {
    return lifecycle;
  }

  @Override
  public void bindMetrics(MeterRegistry registry) {
    local.bindMetrics(registry);
  }

  /** The schema this bus uses. */
  public String schema() {
    return settings.schema().schema;
  }

  /** Stops or resumes the lease renewals of this bus's group members, as a frozen process would. */
  @VisibleForTesting
  void freezeLeases(boolean frozen) {
    PostgresSession current = sessions.session();
    if (current != null) {
      current.freezeLeases(frozen);
    }
  }

  /**
   * Simulates this process dying: readers stop where they are, groups settle and release nothing (other
   * members take over when the leases expire), the connections close. Call {@link #stop()} afterwards.
   */
  @VisibleForTesting
  Mono<Void> halt() {
    PostgresSession current = sessions.session();
    return current == null ? Mono.empty() : current.halt();
  }

  /** The tail, group members and replays of this bus while running, else none. */
  @VisibleForTesting
  List<LogFollower> followers() {
    PostgresSession current = sessions.session();
    return current == null ? List.of() : current.followers();
  }

  /** This bus's durable group members and the tail's passes, described. */
  @VisibleForTesting
  String describeReaders() {
    PostgresSession current = sessions.session();
    LogReader tail = current == null ? null : current.tail();
    return current == null ? "stopped" : current.describeMembers() + ", tail passes " + tail.passesStarted() + "/"
        + tail.passesEnded() + " at " + tail.cursor();
  }

  /** Retention while running with one configured, else null. */
  @VisibleForTesting
  LogRetention retention() {
    PostgresSession current = sessions.session();
    return current == null ? null : current.retention();
  }

  /** Engine name, server (never credentials), schema, partitions and state. */
  @Override
  public String toString() {
    return "PostgresEventBus{engine=" + settings.engine() + ", server=" + settings.address().display() + ", schema="
        + settings.schema().schema + ", partitions=" + settings.partitions() + ", state="
        + sessions + "}";
  }
}
