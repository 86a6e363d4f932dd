package io.fluxbus.kafka;

import io.fluxbus.DeadLetterHeaders;
import io.fluxbus.Event;
import io.fluxbus.internal.DeadLetters;
import io.fluxbus.internal.Failures;
import io.fluxbus.internal.VisibleForTesting;
import io.fluxbus.internal.log.LeaseClock;
import io.fluxbus.spi.Delivery;
import io.fluxbus.spi.LogConsumer;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.util.retry.Retry;

/**
 * A reader of the log topic for one {@link LogConsumer}, a group's member ({@link KafkaGroupMember}) or a replay
 * ({@link KafkaReplay}): a {@link KafkaConsumer} polled on a thread the engine owns, whose records are decoded and
 * handed to the consumer in per-key lanes ({@link LaneScheduler}, up to the consumer's concurrency at once), while
 * each partition's {@link SettledPrefix} says up to where everything is settled. Records the pattern does not match
 * are passed by. A failure's dead letter, and an unreadable record as a dead letter with the reason, is appended to
 * the log before its record counts as settled. A partition with too many records in hand is paused until half of
 * them settled, so a slow consumer holds records in Kafka, not in memory.
 *
 * <p>Handlers run on the bus's workers; the consumer is touched only on the reader's thread (commands from other
 * threads are queued for it, {@link #command}). Disposing ends the loop: queued records are left, those in hand are
 * waited for (up to the drain timeout), the subclass commits what settled, and the consumer closes.
 */
abstract class KafkaReader implements Disposable {

  /** A partition's state while this reader holds it. */
  static final class Held {
    final SettledPrefix prefix;
    final AtomicInteger outstanding = new AtomicInteger();
    boolean paused;
    long committed = -1;

    Held(long start) {
      this.prefix = new SettledPrefix(start);
    }
  }

  /** A record in hand, with the state of its partition at the time it was read. */
  record Tracked(LogItem item, Held held) {}

  final KafkaSession session;
  final LogConsumer consumer;
  final String component;
  final KafkaConsumer<byte[], byte[]> kafka;
  final Map<TopicPartition, Held> held = new HashMap<>();
  final LaneScheduler<Tracked> lanes;
  private final Queue<Consumer<KafkaConsumer<byte[], byte[]>>> commands = new ConcurrentLinkedQueue<>();
  private final Sinks.Empty<Void> ready = Sinks.empty();
  private final Sinks.Empty<Void> ended = Sinks.empty();
  private final int pauseAt;
  volatile boolean disposed;
  volatile boolean halted;
  private volatile boolean frozen;

  KafkaReader(KafkaSession session, LogConsumer consumer, String component, String groupId) {
    this.session = session;
    this.consumer = consumer;
    this.component = component;
    this.kafka = new KafkaConsumer<>(KafkaClients.consumer(session.settings(), groupId == null ? "replay" : "group",
        session.origin(), groupId));
    this.lanes = new LaneScheduler<>(() -> Math.max(1, consumer.concurrency()), this::settle, this::ended);
    this.pauseAt = Math.max(2 * session.settings().maxPollRecords(), 64);
  }

  /** Starts the reader's thread; completes once {@link #setUp()} is done there, or with its error. */
  Mono<Void> start(String threadName) {
    Thread thread = new Thread(this::loop, threadName);
    thread.setDaemon(true);
    thread.start();
    return ready.asMono();
  }

  /** Subscribes or assigns and positions the consumer; on the reader's thread, before the first poll. */
  abstract void setUp();

  /** After each poll: commits what settled (groups); on the reader's thread. */
  abstract void afterPoll();

  /** A poll that began at {@code startedAt} (see {@link LeaseClock#beforeCall}) returned; on the reader's thread. */
  void polled(long startedAt) {
  }

  /**
   * Whether the event of {@code item} may be handed out now; a group member refuses once it can no longer prove it
   * holds the item's partition. A refused item stays unsettled, and its lane stops behind it.
   */
  boolean mayHandOut(LogItem item) {
    return true;
  }

  /** When the loop ends, after the records in hand ended or the wait for them did: a last commit (groups). */
  abstract void beforeClose();

  /** Who failed an event, as dead-letter headers. */
  abstract Map<String, String> failedBy();

  /** Runs {@code command} with the consumer on the reader's thread, soon. */
  void command(Consumer<KafkaConsumer<byte[], byte[]>> command) {
    commands.add(command);
    kafka.wakeup();
  }

  private void loop() {
    try {
      setUp();
    } catch (RuntimeException failed) {
      closeQuietly();
      ended.tryEmitEmpty();
      ready.tryEmitError(failed);
      return;
    }
    ready.tryEmitEmpty();
    Duration poll = session.settings().pollTimeout();
    try {
      while (!disposed) {
        while (frozen && !disposed) {
          pauseBriefly();
        }
        runCommands();
        ConsumerRecords<byte[], byte[]> records;
        long pollStarted = LeaseClock.beforeCall();
        try {
          records = kafka.poll(poll);
        } catch (WakeupException woken) {
          continue;
        }
        polled(pollStarted);
        for (ConsumerRecord<byte[], byte[]> record : records) {
          take(record);
        }
        flowControl();
        afterPoll();
      }
    } catch (RuntimeException failed) {
      session.events().disconnected(component, Failures.describe(failed) + "; this reader stopped");
    } finally {
      finish();
    }
  }

  private void runCommands() {
    Consumer<KafkaConsumer<byte[], byte[]>> next;
    while ((next = commands.poll()) != null) {
      next.accept(kafka);
    }
  }

  private void take(ConsumerRecord<byte[], byte[]> record) {
    LogItem item = LogItem.of(record, session.records());
    Held partition = held.computeIfAbsent(item.partition(), p -> new Held(record.offset()));
    partition.prefix.track(record.offset());
    if (!item.concerns(consumer.pattern())) {
      partition.prefix.settled(record.offset());
      return;
    }
    partition.outstanding.incrementAndGet();
    lanes.submit(item.lane(), new Tracked(item, partition));
  }

  /** Pauses partitions with too much in hand, resumes those that settled half of it. */
  private void flowControl() {
    Set<TopicPartition> pause = new HashSet<>();
    Set<TopicPartition> resume = new HashSet<>();
    held.forEach((partition, state) -> {
      int inHand = state.prefix.inHand();
      if (!state.paused && inHand >= pauseAt) {
        state.paused = true;
        pause.add(partition);
      } else if (state.paused && inHand < pauseAt / 2) {
        state.paused = false;
        resume.add(partition);
      }
    });
    Set<TopicPartition> assigned = kafka.assignment();
    pause.retainAll(assigned);
    resume.retainAll(assigned);
    if (!pause.isEmpty()) {
      kafka.pause(pause);
    }
    if (!resume.isEmpty()) {
      kafka.resume(resume);
    }
  }

  private Mono<Boolean> settle(Tracked tracked) {
    LogItem item = tracked.item();
    if (!mayHandOut(item)) {
      return Mono.just(false);
    }
    if (item.event() == null) {
      Event<Object> letter = DeadLetters.undecodable(item.topic(), item.where(), item.raw(), item.problem(),
          failedBy());
      session.events().dropped(null, item.where() + " is not a readable event for " + component + ": "
          + item.problem() + "; kept as a dead letter on '" + letter.topic() + "'");
      return appendLetter(letter).thenReturn(true);
    }
    return consumer.deliver(item.event()).flatMap(outcome -> {
      if (outcome instanceof Delivery.Failed failed) {
        return failed.deadLetter()
            .map(letter -> appendLetter(letter)
                .doOnSuccess(done -> consumer.deadLettered(item.event().id(), "dead-lettered to '" + letter.topic()
                    + "' before its offset was committed"))
                .thenReturn(true))
            .orElse(Mono.just(true));
      }
      return Mono.just(outcome == Delivery.Handled.INSTANCE);
    });
  }

  /** Appends a letter, retrying with backoff while the reader runs; completes once it is in the log. */
  private Mono<Void> appendLetter(Event<Object> letter) {
    return session.appendLetter(letter)
        .doOnError(error -> session.events().disconnected(component + " dead letters",
            Failures.describe(error) + "; trying again"))
        .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(100)).maxBackoff(Duration.ofSeconds(5))
            .filter(error -> !disposed && !halted))
        .doOnSuccess(done -> session.events().connected(component + " dead letters"));
  }

  private void ended(Tracked tracked, boolean settled) {
    if (settled && !halted) {
      tracked.held().prefix.settled(tracked.item().offset());
    }
    tracked.held().outstanding.decrementAndGet();
  }

  /**
   * Leaves the queued records of {@code partitions} and waits (on the reader's thread, up to the drain timeout) for
   * those in hand to end.
   */
  void letGo(Collection<TopicPartition> partitions) {
    lanes.abandon(tracked -> partitions.contains(tracked.item().partition()));
    long deadline = System.nanoTime() + session.settings().local().drainTimeout().toNanos();
    while (System.nanoTime() < deadline && partitions.stream().map(held::get)
        .anyMatch(state -> state != null && state.outstanding.get() > 0)) {
      pauseBriefly();
    }
  }

  private void finish() {
    try {
      lanes.abandon(tracked -> true);
      if (!halted) {
        try {
          // a wake-up meant for the poll would otherwise break the last commit
          kafka.poll(Duration.ZERO);
        } catch (WakeupException consumed) {
          // the one pending
        }
        letGo(Set.copyOf(held.keySet()));
        beforeClose();
      }
    } catch (RuntimeException failed) {
      session.events().disconnected(component, Failures.describe(failed) + "; stopped without a last commit");
    } finally {
      closeQuietly();
      ended.tryEmitEmpty();
    }
  }

  private void closeQuietly() {
    try {
      kafka.close(halted
          ? org.apache.kafka.clients.consumer.CloseOptions.groupMembershipOperation(
              org.apache.kafka.clients.consumer.CloseOptions.GroupMembershipOperation.REMAIN_IN_GROUP)
              .withTimeout(Duration.ZERO)
          : org.apache.kafka.clients.consumer.CloseOptions.timeout(session.settings().connectTimeout()));
    } catch (RuntimeException ignored) {
      // closing after the broker went away: nothing is left to release
    }
  }

  static void pauseBriefly() {
    try {
      Thread.sleep(2);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Completes once the loop ended and the consumer closed. */
  Mono<Void> ended() {
    return ended.asMono();
  }

  /** Stops or resumes polling, as a frozen process would; for tests of fencing. */
  @VisibleForTesting
  void freeze(boolean frozen) {
    this.frozen = frozen;
  }

  /** Stops where it is, as if its process died: nothing more is committed. */
  void halt() {
    halted = true;
    dispose();
  }

  @Override
  public void dispose() {
    disposed = true;
    try {
      kafka.wakeup();
    } catch (RuntimeException closed) {
      // the loop ended already
    }
  }

  @Override
  public boolean isDisposed() {
    return disposed;
  }

  static Map<String, String> group(String group) {
    return Map.of(DeadLetterHeaders.GROUP, group);
  }
}
