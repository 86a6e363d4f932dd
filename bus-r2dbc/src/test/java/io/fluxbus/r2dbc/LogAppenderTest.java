package io.fluxbus.r2dbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxbus.Event;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

/**
 * How {@link LogAppender} cuts the queue into inserts, against an insert the test completes by hand: which events
 * share an insert, which wait, and in which order they reach the database. (The inserts themselves are tested against
 * PostgreSQL by every other test of this module.)
 */
@DisplayName("The appender keeps each key's order across concurrent inserts")
class LogAppenderTest {

  /** The inserts asked for, as "topic/key" per row, and the sinks that end them. */
  private final List<List<String>> inserts = new CopyOnWriteArrayList<>();
  private final List<Sinks.One<Long>> ends = new CopyOnWriteArrayList<>();
  private final List<String> completed = new CopyOnWriteArrayList<>();
  private final LogAppender appender = new LogAppender(columns -> {
    List<String> rows = new ArrayList<>();
    for (int i = 0; i < columns.get(0).length; i++) {
      rows.add(columns.get(1)[i] + "/" + columns.get(2)[i]);
    }
    inserts.add(rows);
    Sinks.One<Long> end = Sinks.one();
    ends.add(end);
    return end.asMono();
  }, 2);

  private void append(String name, String topic, String key) {
    Event<?> event = Event.builder(topic, name).key(key).build();
    appender.append(event, "{}", null)
        .subscribe(null, error -> completed.add(name + " failed"), () -> completed.add(name));
  }

  @Test
  @DisplayName("an event of a key a running insert holds waits, with the later events of its key; other keys go on")
  void aHeldKeyWaitsForItsInsert() {
    append("a", "order.placed", "k1");
    append("b", "order.paid", "k1");
    append("c", "order.placed", "k2");
    append("d", "order.shipped", "k1");

    assertThat(inserts).containsExactly(List.of("order.placed/k1"), List.of("order.placed/k2"));

    ends.get(0).tryEmitValue(1L);

    assertThat(completed).containsExactly("a");
    assertThat(inserts).hasSize(3).last().isEqualTo(List.of("order.paid/k1", "order.shipped/k1"));
    ends.get(1).tryEmitValue(1L);
    ends.get(2).tryEmitValue(2L);
    assertThat(completed).containsExactly("a", "c", "b", "d");
  }

  @Test
  @DisplayName("a key's next insert starts only after the publishes of its previous insert went on")
  void aKeysNextInsertWaitsForThePublishesOfThePrevious() {
    List<Integer> insertsWhenAWentOn = new CopyOnWriteArrayList<>();
    appender.append(Event.builder("order.placed", "a").key("k1").build(), "{}", null)
        .subscribe(null, null, () -> insertsWhenAWentOn.add(inserts.size()));
    append("b", "order.paid", "k1");

    ends.get(0).tryEmitValue(1L);

    assertThat(insertsWhenAWentOn).as("b's insert had not started when a's publish went on").containsExactly(1);
    assertThat(inserts).hasSize(2).last().isEqualTo(List.of("order.paid/k1"));
  }

  @Test
  @DisplayName("parked events of several keys go on in queue order, each key once its insert ended")
  void parkedKeysGoOnAsTheirInsertsEnd() {
    append("a", "t.one", "k1");
    append("b", "t.two", "k2");
    append("c", "t.one", "k1");
    append("d", "t.two", "k2");
    append("e", "t.one", "k1");

    ends.get(1).tryEmitValue(1L);

    assertThat(inserts).hasSize(3).last().as("k2's parked event, k1 still held").isEqualTo(List.of("t.two/k2"));
    ends.get(0).tryEmitValue(1L);
    ends.get(2).tryEmitValue(1L);

    assertThat(inserts).hasSize(4).last().isEqualTo(List.of("t.one/k1", "t.one/k1"));
    ends.get(3).tryEmitValue(2L);
    assertThat(completed).containsExactly("b", "a", "d", "c", "e");
  }

  @Test
  @DisplayName("other keys use the second insert at once; keyless events are ordered by topic")
  void otherKeysRunAlongside() {
    append("a", "audit.login", null);
    append("b", "audit.logout", null);
    append("c", "audit.login", null);

    assertThat(inserts).containsExactly(List.of("audit.login/null"), List.of("audit.logout/null"));

    ends.get(1).tryEmitValue(1L);
    assertThat(inserts).as("c still waits for a").hasSize(2);
    ends.get(0).tryEmitValue(1L);

    assertThat(inserts).hasSize(3).last().isEqualTo(List.of("audit.login/null"));
    ends.get(2).tryEmitValue(1L);
    assertThat(completed).containsExactly("b", "a", "c");
  }

  @Test
  @DisplayName("a failed insert fails its publishes and releases their keys")
  void aFailedInsertReleasesItsKeys() {
    append("a", "order.placed", "k1");
    append("b", "order.placed", "k1");

    ends.get(0).tryEmitError(new IllegalStateException("connection lost"));

    assertThat(completed).containsExactly("a failed");
    assertThat(inserts).hasSize(2).last().isEqualTo(List.of("order.placed/k1"));
    ends.get(1).tryEmitValue(1L);
    assertThat(completed).containsExactly("a failed", "b");
  }

  @Test
  @DisplayName("events queued while both inserts run share the next insert, in queue order")
  void queuedEventsShareTheNextInsert() {
    append("a", "t.one", "k1");
    append("b", "t.two", "k2");
    for (String key : Arrays.asList("k3", "k4", "k5")) {
      append(key, "t.three", key);
    }

    ends.get(0).tryEmitValue(1L);

    assertThat(inserts).hasSize(3).last().isEqualTo(List.of("t.three/k3", "t.three/k4", "t.three/k5"));
    ends.get(1).tryEmitValue(1L);
    ends.get(2).tryEmitValue(3L);
    assertThat(completed).containsExactly("a", "b", "k3", "k4", "k5");
  }

  @Test
  @DisplayName("more parked events of a key than one insert takes go on in inserts of their own, in order")
  void aLongParkedRunIsCutIntoInserts() {
    append("first", "t.hot", "hot");
    int parkedCount = LogAppender.MAX_BATCH + 44;
    for (int i = 0; i < parkedCount; i++) {
      append("p" + i, "t.hot", "hot");
    }
    append("cold", "t.cold", "cold");

    assertThat(inserts).as("the cold key goes on beside the held hot one").hasSize(2)
        .last().isEqualTo(List.of("t.cold/cold"));
    ends.get(0).tryEmitValue(1L);

    assertThat(inserts).hasSize(3).last().asList().hasSize(LogAppender.MAX_BATCH);
    ends.get(1).tryEmitValue(1L);
    assertThat(inserts).as("the rest waits for the hot key's insert").hasSize(3);
    ends.get(2).tryEmitValue((long) LogAppender.MAX_BATCH);

    assertThat(inserts).hasSize(4).last().asList().hasSize(44);
    ends.get(3).tryEmitValue(44L);
    List<String> hot = completed.stream().filter(name -> name.startsWith("p")).toList();
    assertThat(hot).hasSize(parkedCount)
        .isEqualTo(java.util.stream.IntStream.range(0, parkedCount).mapToObj(i -> "p" + i).toList());
  }

  @Test
  @DisplayName("under appends from four threads and inserts ending on others, a key is in one insert at a time, "
      + "in order, and every publish completes")
  void concurrentAppendsKeepEveryKeyInOrder() throws Exception {
    Set<String> running = ConcurrentHashMap.newKeySet();
    List<String> overlaps = new CopyOnWriteArrayList<>();
    Map<String, List<Integer>> appended = new ConcurrentHashMap<>();
    LogAppender concurrent = new LogAppender(columns -> Mono.fromCallable(() -> {
      Set<String> keys = new HashSet<>(Arrays.asList(columns.get(2)));
      for (String key : keys) {
        if (!running.add(key)) {
          overlaps.add(key);
        }
      }
      for (int i = 0; i < columns.get(0).length; i++) {
        appended.computeIfAbsent(columns.get(2)[i], k -> new CopyOnWriteArrayList<>())
            .add(Integer.parseInt(columns.get(4)[i]));
      }
      return keys;
    }).subscribeOn(Schedulers.parallel())
        // a hop while the keys count as running, so that an insert started meanwhile overlaps for real
        .publishOn(Schedulers.parallel())
        .map(keys -> {
          running.removeAll(keys);
          return (long) keys.size();
        }), 2);
    int perThread = 5_000;
    CountDownLatch done = new CountDownLatch(4 * perThread);
    ExecutorService threads = Executors.newFixedThreadPool(4);
    try {
      for (int t = 0; t < 4; t++) {
        int thread = t;
        threads.execute(() -> {
          for (int i = 0; i < perThread; i++) {
            Event<?> event = Event.builder("t.load", "x").key("t" + thread + "-" + i % 5).build();
            concurrent.append(event, Integer.toString(i), null).subscribe(null, error -> { }, done::countDown);
          }
        });
      }

      assertThat(done.await(30, TimeUnit.SECONDS)).as("every publish completed").isTrue();
    } finally {
      threads.shutdownNow();
    }
    assertThat(overlaps).as("keys in two inserts at once").isEmpty();
    assertThat(appended).hasSize(20).allSatisfy((key, order) -> assertThat(order).hasSize(perThread / 5).isSorted());
  }
}
