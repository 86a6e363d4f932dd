package io.fluxbus.r2dbc;

import static io.fluxbus.r2dbc.TestBuses.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fluxbus.Event;
import io.fluxbus.StartPosition;
import io.fluxbus.SubscribeOptions;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.pool.ConnectionPoolConfiguration;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactories;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The log never skips an event whose transaction commits after a later one: the commit-order gap that a plain
 * {@code position > last} cursor falls into (research §3.1).
 */
@DisplayName("The log cursor is gap-safe")
class GapSafetyTest {

  private static final String SCHEMA = PostgresTestServer.freshSchema("gap");

  private PostgresEventBus writer;
  private PostgresEventBus reader;
  private Connection slow;

  @BeforeEach
  void startBuses() {
    writer = TestBuses.started(TestBuses.bus(SCHEMA, Duration.ofMillis(100)).name("writer").build());
    reader = TestBuses.started(TestBuses.bus(SCHEMA, Duration.ofMillis(100)).name("reader").build());
    slow = Mono.from(ConnectionFactories.get(PostgresTestServer.url()).create()).block(WAIT);
  }

  @AfterEach
  void stopBuses() {
    Mono.from(slow.close()).block(WAIT);
    TestBuses.stop(writer, reader);
  }

  @AfterAll
  static void dropSchema() {
    PostgresTestServer.dropSchema(SCHEMA);
  }

  @Test
  @DisplayName("an event committed after a later one is delivered, before it, and the later one is held back meanwhile")
  void aSlowEarlierTransactionIsNeitherSkippedNorOvertaken() {
    List<Event<Object>> received = TestBuses.record(reader, "gap.#");
    Mono.from(slow.beginTransaction()).block(WAIT);
    writer.publish(slow, Event.of("gap.slow", "A")).block(WAIT);

    writer.publish("gap.fast", "B").block(WAIT);

    assertThat(positionOf("gap.fast")).as("the fast event is committed at a later position than the open one")
        .isGreaterThan(uncommittedSlowPosition());
    TestBuses.awaitFullPass(reader);
    assertThat(received).as("nothing is read past an open older transaction").isEmpty();

    Mono.from(slow.commitTransaction()).block(WAIT);

    await().atMost(WAIT).until(() -> received.size() == 2);
    assertThat(received).extracting(Event::payload).containsExactly("A", "B");
  }

  @Test
  @DisplayName("when the slow transaction rolls back, only the later event is delivered")
  void aRolledBackEarlierTransactionReleasesTheLaterEvent() {
    List<Event<Object>> received = TestBuses.record(reader, "gap.#");
    Mono.from(slow.beginTransaction()).block(WAIT);
    writer.publish(slow, Event.of("gap.slow", "A")).block(WAIT);
    writer.publish("gap.fast", "B").block(WAIT);
    TestBuses.awaitFullPass(reader);
    assertThat(received).isEmpty();

    Mono.from(slow.rollbackTransaction()).block(WAIT);

    await().atMost(WAIT).until(() -> received.size() == 1);
    TestBuses.awaitFullPass(reader);
    assertThat(received).extracting(Event::payload).containsExactly("B");
  }

  @Test
  @DisplayName("concurrent transactions committing in random order: every event arrives exactly once")
  void concurrentTransactionsWithRandomCommitDelaysLoseNothing() {
    List<Event<Object>> received = TestBuses.record(reader, "gap.#");
    ConnectionPool callers = new ConnectionPool(ConnectionPoolConfiguration
        .builder(ConnectionFactories.get(PostgresTestServer.url())).maxSize(16).build());
    try {
      Flux<String> inTransactions = Flux.range(0, 160).flatMap(i -> Mono.usingWhen(callers.create(),
          c -> Mono.from(c.beginTransaction())
              .then(writer.publish(c, Event.of("gap.tx", i)))
              .delayElement(Duration.ofMillis(ThreadLocalRandom.current().nextInt(30)))
              .flatMap(stored -> Mono.from(c.commitTransaction()).thenReturn(stored.id())),
          Connection::close), 16);
      Flux<String> direct = Flux.range(0, 160).flatMap(i -> writer.publish("gap.direct", i)
          .map(result -> result.eventId()), 8);

      Set<String> published = Flux.merge(inTransactions, direct).collect(Collectors.toSet()).block(WAIT);

      await().atMost(WAIT).until(() -> received.size() >= published.size());
      TestBuses.awaitFullPass(reader);
      assertThat(received).extracting(Event::id).doesNotHaveDuplicates()
          .containsExactlyInAnyOrderElementsOf(published);
    } finally {
      callers.disposeLater().block(WAIT);
    }
  }

  @Test
  @DisplayName("a group and a replay over four partitions, with transactions committing in random order: each gets "
      + "every event exactly once")
  void groupsAndReplaysOverPartitionsLoseNothing() {
    String partitioned = PostgresTestServer.freshSchema("gap4");
    PostgresEventBus appender = TestBuses.started(TestBuses.bus(partitioned, Duration.ofMillis(100))
        .name("appender").partitions(4).build());
    PostgresEventBus consumer = TestBuses.started(TestBuses.bus(partitioned, Duration.ofMillis(100))
        .name("consumer").partitions(4).workers(2).build());
    Map<String, Integer> grouped = new ConcurrentHashMap<>();
    Map<String, Integer> replayed = new ConcurrentHashMap<>();
    ConnectionPool callers = new ConnectionPool(ConnectionPoolConfiguration
        .builder(ConnectionFactories.get(PostgresTestServer.url())).maxSize(16).build());
    try {
      consumer.subscribe("gap.#", SubscribeOptions.defaults().group("all").async(true).concurrency(4),
          event -> Mono.fromRunnable(() -> grouped.merge(event.id(), 1, Integer::sum))).block(WAIT);
      Flux<String> inTransactions = Flux.range(0, 160).flatMap(i -> Mono.usingWhen(callers.create(),
          c -> Mono.from(c.beginTransaction())
              .then(appender.publish(c, Event.builder("gap.tx", (Object) i).key("k" + i % 7).build()))
              .delayElement(Duration.ofMillis(ThreadLocalRandom.current().nextInt(30)))
              .flatMap(stored -> Mono.from(c.commitTransaction()).thenReturn(stored.id())),
          Connection::close), 16);
      Flux<String> direct = Flux.range(0, 160).flatMap(i -> appender.publish("gap.direct", i)
          .map(result -> result.eventId()), 8);
      // the replay starts while transactions are open, in the middle of the run
      Mono<Void> replay = Mono.delay(Duration.ofMillis(50)).then(consumer.subscribe("gap.#",
          SubscribeOptions.defaults().startFrom(StartPosition.earliest()),
          event -> Mono.fromRunnable(() -> replayed.merge(event.id(), 1, Integer::sum))).then());

      Set<String> published = Flux.merge(inTransactions, direct).collect(Collectors.toSet())
          .zipWith(replay.thenReturn(true), (ids, started) -> ids).block(WAIT);

      await().atMost(WAIT).until(() -> grouped.size() >= published.size() && replayed.size() >= published.size());
      TestBuses.awaitFullPass(consumer);
      assertThat(grouped).containsOnlyKeys(published).allSatisfy((id, times) -> assertThat(times).isEqualTo(1));
      assertThat(replayed).containsOnlyKeys(published).allSatisfy((id, times) -> assertThat(times).isEqualTo(1));
    } finally {
      callers.disposeLater().block(WAIT);
      TestBuses.stop(appender, consumer);
      PostgresTestServer.dropSchema(partitioned);
    }
  }

  private long positionOf(String topic) {
    return Long.parseLong(PostgresTestServer.query("SELECT position FROM \"" + SCHEMA
        + "\".event_log WHERE topic = $1", topic).get(0));
  }

  /** The slow event's position, seen from its own (still open) transaction. */
  private long uncommittedSlowPosition() {
    return Flux.from(slow.createStatement("SELECT position FROM \"" + SCHEMA + "\".event_log WHERE topic = $1")
            .bind(0, "gap.slow").execute())
        .flatMap(result -> result.map((row, meta) -> row.get(0, Long.class)))
        .blockFirst(WAIT);
  }
}
