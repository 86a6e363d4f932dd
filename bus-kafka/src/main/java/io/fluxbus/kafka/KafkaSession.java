package io.fluxbus.kafka;

import io.fluxbus.BusException;
import io.fluxbus.PublishResult;
import io.fluxbus.internal.log.AppendingSession;
import io.fluxbus.internal.VisibleForTesting;
import io.fluxbus.EngineUnavailableException;
import io.fluxbus.Event;
import io.fluxbus.StartPosition;
import io.fluxbus.internal.Failures;
import io.fluxbus.internal.log.EngineEvents;
import io.fluxbus.internal.delivery.LocalEventBus;
import io.fluxbus.spi.LogConsumer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;

/**
 * One connected period of a {@link KafkaEventBus}, from {@code start()} to {@code stop()}: the admin client, the log
 * topic (found, or created with the configured partitions, replication and retention), the producer
 * ({@link KafkaAppender}), the tail that hands other buses' events to this bus's ordinary subscriptions
 * ({@link KafkaTail}), the readers of durable groups ({@link KafkaGroupMember}) and replays ({@link KafkaReplay}),
 * the thread that hands events to ordinary subscriptions ({@link #delivery()}), the session's timers, and the probe
 * that reports the cluster unreachable and reachable again ({@link BrokerProbe}).
 * Thread-safe.
 */
final class KafkaSession implements AppendingSession<byte[]> {

  private final KafkaSettings settings;
  private final LocalEventBus local;
  private final EngineEvents events;
  private final String origin;
  private final BinaryCloudEvents records;
  private final Scheduler timers;
  private final Scheduler delivery;
  private final Set<KafkaGroupMember> members = ConcurrentHashMap.newKeySet();
  private final Set<KafkaReplay> replays = ConcurrentHashMap.newKeySet();
  private volatile Admin admin;
  private volatile int partitions;
  private volatile KafkaAppender appender;
  private volatile GroupOffsets offsets;
  private volatile KafkaTail tail;
  private volatile BrokerProbe probe;
  private final java.util.function.Supplier<io.micrometer.core.instrument.MeterRegistry> registry;

  private KafkaSession(KafkaSettings settings, LocalEventBus local, EngineEvents events, String origin,
                       java.util.function.Supplier<io.micrometer.core.instrument.MeterRegistry> registry) {
    this.registry = registry;
    this.settings = settings;
    this.local = local;
    this.events = events;
    this.origin = origin;
    this.records = new BinaryCloudEvents(settings.codec());
    this.timers = Schedulers.newSingle("fluxbus-" + settings.engine() + "-kafka-timers", true);
    this.delivery = Schedulers.newSingle("fluxbus-" + settings.engine() + "-kafka-delivery", true);
  }

  /**
   * Connects, finds or creates the log topic, opens the producer and positions the tail at the end of the log.
   *
   * @return the open session; or an {@link EngineUnavailableException} naming the bootstrap servers and the log
   *     topic, after everything opened so far was released
   */
  static Mono<KafkaSession> open(KafkaSettings settings, LocalEventBus local, EngineEvents events, String origin,
                                 java.util.function.Supplier<io.micrometer.core.instrument.MeterRegistry> registry) {
    return Mono.defer(() -> {
      KafkaSession session = new KafkaSession(settings, local, events, origin, registry);
      return session.connect().thenReturn(session)
          .onErrorResume(error -> session.close(Duration.ZERO).onErrorResume(closing -> Mono.empty())
              .then(Mono.error(session.unavailable(error))));
    });
  }

  private Mono<Void> connect() {
    return Mono.fromCallable(() -> Admin.create(KafkaClients.admin(settings, origin)))
        .doOnNext(created -> admin = created)
        .then(Mono.defer(this::logTopic))
        .doOnNext(count -> {
          partitions = count;
          offsets = new GroupOffsets(admin, settings.logTopic(), count);
          appender = new KafkaAppender(new KafkaProducer<>(KafkaClients.producer(settings, origin)),
              settings.logTopic(), count, "fluxbus-" + settings.engine() + "-kafka-send");
          tail = new KafkaTail(this);
        })
        .then(Mono.defer(() -> tail.start()))
        .doOnSuccess(done -> probe = BrokerProbe.start(admin, settings, events, timers));
  }

  /** The log topic's partition count, creating the topic first when it is missing and the engine may. */
  private Mono<Integer> logTopic() {
    String topic = settings.logTopic();
    Mono<Integer> describe = Mono.defer(() -> GroupOffsets.mono(admin.describeTopics(List.of(topic)).allTopicNames()))
        .map(found -> found.get(topic))
        .map(TopicDescription::partitions)
        .map(List::size);
    return describe.onErrorResume(UnknownTopicOrPartitionException.class, missing -> {
      if (!settings.createTopics()) {
        return Mono.error(new EngineUnavailableException("Kafka engine '" + settings.engine() + "': the log topic '"
            + topic + "' does not exist on " + settings.bootstrapServers() + " and createTopics is false; create it "
            + "or let the engine create it"));
      }
      NewTopic created = new NewTopic(topic, settings.partitions(), settings.replicationFactor());
      if (settings.retention() != null) {
        created.configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, Long.toString(settings.retention().toMillis())));
      }
      return GroupOffsets.mono(admin.createTopics(List.of(created)).all())
          .onErrorResume(TopicExistsException.class, raced -> Mono.empty())
          // a new topic's metadata reaches the broker answering describe a little later
          .then(describe.retryWhen(Retry.backoff(20, Duration.ofMillis(50)).maxBackoff(Duration.ofMillis(500))
              .filter(UnknownTopicOrPartitionException.class::isInstance)));
    });
  }

  private RuntimeException unavailable(Throwable error) {
    if (error instanceof BusException bus) {
      return bus;
    }
    return new EngineUnavailableException("Kafka engine '" + settings.engine() + "' cannot use "
        + settings.bootstrapServers() + " (log topic '" + settings.logTopic() + "'): " + Failures.describe(error),
        error);
  }

  /**
   * Appends a stamped event published on this bus: its own tail will pass it by.
   *
   * @return completes once the broker acknowledged it; an {@link EngineUnavailableException} when the producer
   *     gave up (then it is not in the log)
   */
  @Override
  public Mono<Void> append(Event<?> stamped, byte[] value) {
    return appender.append(stamped, value, origin).onErrorMap(this::unavailable).then();
  }

  /** The record's value: the payload as JSON. */
  @Override
  public byte[] encode(Event<?> stamped) {
    return records.value(stamped);
  }

  /**
   * Hands the acknowledged event, as a reader would read it back from its record, to this bus's ordinary
   * subscriptions on the delivery thread, never on the producer's I/O thread.
   */
  @Override
  public Mono<PublishResult> handOn(Event<?> stamped, byte[] value) {
    return Mono.defer(() -> local.publish(records.decode(BinaryCloudEvents.headers(stamped, null), value), delivery))
        .subscribeOn(delivery);
  }

  /** Appends a dead letter, for every bus to read (this one's tail included). */
  Mono<Void> appendLetter(Event<Object> letter) {
    return Mono.defer(() -> {
      Event<Object> stamped = stamp(letter);
      return appender.append(stamped, records.value(stamped), null).onErrorMap(this::unavailable).then();
    });
  }

  /** Starts reading the log for a group or a replaying subscription; see {@code DurableLog#attach}. */
  Mono<Disposable> attach(LogConsumer consumer) {
    if (consumer.group().isPresent()) {
      return KafkaGroupMember.start(this, consumer)
          .map(member -> {
            members.add(member);
            member.ended().subscribe(null, null, () -> members.remove(member));
            return (Disposable) member;
          })
          .onErrorMap(this::unavailable);
    }
    return KafkaReplay.start(this, consumer)
        .map(replay -> {
          replays.add(replay);
          replay.ended().subscribe(null, null, () -> replays.remove(replay));
          return (Disposable) replay;
        })
        .onErrorMap(this::unavailable);
  }

  /**
   * Moves a group to {@code position}: the partitions this bus's member holds through the member (after what it has
   * in hand), and, when no member holds the others, those through the admin client.
   */
  Mono<Void> resetGroup(String group, String pattern, StartPosition position) {
    String groupId = settings.groupId(group, pattern);
    List<KafkaGroupMember> local = members.stream().filter(member -> member.serves(groupId)).toList();
    if (local.isEmpty()) {
      return offsets.reset(groupId, position).onErrorMap(error -> error instanceof
          org.apache.kafka.common.errors.GroupNotEmptyException
          ? new BusException("Cannot reset group '" + group + "' on '" + pattern + "': it has members on other buses;"
              + " reset it from a bus where it has a member, or when it has none", error)
          : unavailable(error));
    }
    GroupOffsets.Targets targets = new GroupOffsets.Targets(position);
    return Flux.fromIterable(local).flatMap(member -> member.moveTo(targets))
        .collect(HashSet<TopicPartition>::new, Set::addAll)
        .flatMap(moved -> moved.size() >= partitions ? Mono.<Void>empty()
            : offsets.reset(groupId, position).onErrorMap(error -> new BusException("Group '" + group + "' on '"
                + pattern + "' was reset on the partitions this bus holds (" + moved + "), not on those members on "
                + "other buses hold: " + Failures.describe(error), error)))
        .onErrorMap(error -> error instanceof BusException ? error : unavailable(error));
  }

  /** Stops or resumes every group member's polling, as a frozen process would. */
  @VisibleForTesting
  void freezeLeases(boolean frozen) {
    members.forEach(member -> member.freeze(frozen));
  }

  /** Simulates this process dying, for tests: readers stop where they are, commit nothing, leave no group. */
  @VisibleForTesting
  Mono<Void> halt() {
    members.forEach(KafkaReader::halt);
    replays.forEach(KafkaReader::halt);
    KafkaTail current = tail;
    if (current != null) {
      current.dispose();
    }
    return Mono.when(readersEnded()).timeout(Duration.ofSeconds(10), Mono.empty(), timers);
  }

  private List<Mono<Void>> readersEnded() {
    List<Mono<Void>> endings = new ArrayList<>();
    KafkaTail current = tail;
    if (current != null) {
      endings.add(current.ended());
    }
    members.forEach(member -> endings.add(member.ended()));
    replays.forEach(replay -> endings.add(replay.ended()));
    return endings;
  }

  /**
   * Stops the tail and every reader, waits up to {@code wait} for them to settle and commit what they have in hand,
   * then flushes and closes the producer and the admin client (off the caller's thread: closing blocks), and the
   * delivery thread after what is queued on it ran.
   */
  @Override
  public Mono<Void> close(Duration wait) {
    return Mono.defer(() -> {
      BrokerProbe watching = probe;
      if (watching != null) {
        watching.dispose();
      }
      KafkaTail current = tail;
      if (current != null) {
        current.dispose();
      }
      members.forEach(KafkaReader::dispose);
      replays.forEach(KafkaReader::dispose);
      // a reader waits up to the drain timeout for its handlers, then commits; allow for the commit too
      Duration readers = wait.plus(settings.connectTimeout());
      return Mono.when(readersEnded())
          .timeout(readers, Mono.empty(), timers)
          .then(Mono.fromRunnable(() -> {
            KafkaAppender producer = appender;
            if (producer != null) {
              producer.close(wait.isZero() ? Duration.ZERO : settings.connectTimeout());
            }
            Admin client = admin;
            if (client != null) {
              client.close(Duration.ofSeconds(wait.isZero() ? 0 : 5));
            }
          }).subscribeOn(Schedulers.boundedElastic()))
          .then(Mono.defer(() -> delivery.disposeGracefully().timeout(wait.isZero() ? Duration.ofMillis(1) : wait,
              timers).onErrorResume(error -> Mono.empty())))
          .doFinally(signal -> {
            timers.dispose();
            delivery.dispose();
          });
    });
  }

  @Override
  public Scheduler timers() {
    return timers;
  }

  /** Fills in the bus's source and the current time where an event has none. */
  <T> Event<T> stamp(Event<T> event) {
    return event.withDefaults(settings.local().source(), Instant.now());
  }

  /**
   * The one thread that hands events to this bus's ordinary subscriptions, in order: its own publishes once
   * acknowledged, and other buses' events read by the tail. Sync subscribers run here and may block it.
   */
  Scheduler delivery() {
    return delivery;
  }

  /** The registry the bus's meters are bound to, or null. */
  io.micrometer.core.instrument.MeterRegistry meterRegistry() {
    return registry.get();
  }

  KafkaSettings settings() {
    return settings;
  }

  LocalEventBus local() {
    return local;
  }

  EngineEvents events() {
    return events;
  }

  BinaryCloudEvents records() {
    return records;
  }

  GroupOffsets offsets() {
    return offsets;
  }

  /** The log topic's partition count. */
  int partitions() {
    return partitions;
  }

  /** The bus's id: the origin of its records. */
  String origin() {
    return origin;
  }
}
