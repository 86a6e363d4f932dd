package io.fluxbus.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.fluxbus.TopicPattern;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("TopicTrie: many patterns matched per topic")
class TopicTrieTest {

  /** A subscription stand-in; a class, not a record, so that two entries are never equal, only identical. */
  static final class Sub {
    final long seq;
    final TopicPattern pattern;

    Sub(long seq, String pattern) {
      this.seq = seq;
      this.pattern = TopicPattern.of(pattern);
    }

    @Override
    public String toString() {
      return "#" + seq + " " + pattern;
    }
  }

  private static final Sub[] EMPTY = new Sub[0];

  private final TopicTrie<Sub> trie = new TopicTrie<>(s -> s.seq, EMPTY);
  private ExecutorService executor;

  @AfterEach
  void stopThreads() {
    if (executor != null) {
      executor.shutdownNow();
    }
  }

  private Sub add(long seq, String pattern) {
    Sub sub = new Sub(seq, pattern);
    trie.add(sub.pattern, sub);
    return sub;
  }

  @Test
  void agreesWithTopicPatternOnRandomPatternsAndTopicsAcrossAddsAndRemoves() {
    // Given a seeded stream of random patterns over a small alphabet, so that wildcards overlap a lot
    long seed = Long.getLong("fluxbus.seed", System.nanoTime());
    Random random = new Random(seed);
    String[] patternAlphabet = {"a", "b", "c", "*", "#"};
    String[] topicAlphabet = {"a", "b", "c"};
    List<Sub> live = new ArrayList<>();
    long seq = 0;

    for (int round = 0; round < 400; round++) {
      // When the trie changes: mostly adds, some removes
      if (live.isEmpty() || random.nextInt(4) != 0) {
        Sub sub = new Sub(seq++, randomText(random, patternAlphabet, 1 + random.nextInt(5)));
        trie.add(sub.pattern, sub);
        live.add(sub);
      } else {
        Sub gone = live.remove(random.nextInt(live.size()));
        assertThat(trie.remove(gone.pattern, gone)).as("seed %d: remove %s", seed, gone).isTrue();
      }

      // Then every topic matches exactly the live entries whose pattern matches it, once each, in seq order
      for (int t = 0; t < 25; t++) {
        String topic = randomText(random, topicAlphabet, 1 + random.nextInt(6));
        List<Sub> expected = live.stream()
            .filter(s -> s.pattern.matches(topic))
            .sorted(Comparator.comparingLong(s -> s.seq))
            .toList();
        List<Sub> actual = Arrays.asList(trie.match(topic));
        if (!actual.equals(expected)) {
          fail("seed " + seed + " (rerun with -Dfluxbus.seed=" + seed + "): topic '" + topic + "' matched "
              + actual + ", expected " + expected + "; live entries " + live);
        }
      }
    }
  }

  @Test
  void returnsAnEntryOnceEvenWhenItsPatternMatchesInSeveralWays() {
    // Given "#.a.#" which matches "a.a" by taking either 'a' as the literal
    Sub sub = add(1, "#.a.#");

    // When / Then
    assertThat(trie.match("a.a")).containsExactly(sub);
    assertThat(trie.match("a.a.a.a")).containsExactly(sub);
  }

  @Test
  void returnsAnEntryOnceWhenItIsRegisteredUnderTwoMatchingPatterns() {
    // Given
    Sub sub = new Sub(1, "user.*");
    trie.add(TopicPattern.of("user.*"), sub);
    trie.add(TopicPattern.of("user.#"), sub);

    // When / Then
    assertThat(trie.match("user.created")).containsExactly(sub);
  }

  @Test
  void ordersResultsByTheOrderKeyNotByInsertionOrPattern() {
    // Given entries added out of order under patterns that live in different branches
    Sub third = add(30, "#");
    Sub first = add(10, "a.b");
    Sub fourth = add(40, "a.*");
    Sub second = add(20, "*.b");

    // When / Then
    assertThat(trie.match("a.b")).containsExactly(first, second, third, fourth);
  }

  @Test
  void returnsTheGivenEmptyArrayWhenNothingMatches() {
    // Given
    add(1, "user.*");

    // When / Then
    assertThat(trie.match("order.created")).isSameAs(EMPTY);
    assertThat(new TopicTrie<>(s -> 0, EMPTY).match("anything")).isSameAs(EMPTY);
  }

  @Test
  void hashMatchesZeroSegmentsAtTheEndAndInTheMiddle() {
    // Given
    Sub tail = add(1, "user.#");
    Sub middle = add(2, "a.#.b");

    // When / Then
    assertThat(trie.match("user")).containsExactly(tail);
    assertThat(trie.match("a.b")).containsExactly(middle);
    assertThat(trie.match("a.b.c")).isEmpty();
  }

  @Test
  void aMatchAfterRemoveNoLongerSeesTheEntryEvenWhenTheTopicWasCached() {
    // Given a cached match that contains the entry
    Sub kept = add(1, "user.#");
    Sub removed = add(2, "user.*");
    assertThat(trie.match("user.created")).containsExactly(kept, removed);

    // When
    boolean wasThere = trie.remove(TopicPattern.of("user.*"), removed);

    // Then
    assertThat(wasThere).isTrue();
    assertThat(trie.match("user.created")).containsExactly(kept);
  }

  @Test
  void aMatchAfterAddSeesTheNewEntryEvenWhenTheTopicWasCached() {
    // Given a cached empty match
    assertThat(trie.match("user.created")).isEmpty();

    // When
    Sub sub = add(1, "user.created");

    // Then
    assertThat(trie.match("user.created")).containsExactly(sub);
  }

  @Test
  void removeSaysFalseForAnEntryThatIsNotThere() {
    // Given
    Sub sub = add(1, "user.*");

    // When / Then
    assertThat(trie.remove(TopicPattern.of("order.*"), sub)).as("unknown pattern").isFalse();
    assertThat(trie.remove(TopicPattern.of("user.#"), sub)).as("other pattern").isFalse();
    assertThat(trie.remove(TopicPattern.of("user.*"), new Sub(1, "user.*"))).as("other instance").isFalse();
    assertThat(trie.match("user.x")).containsExactly(sub);
  }

  @Test
  void removeTakesOutOnlyTheGivenEntryUnderASharedPattern() {
    // Given
    Sub a = add(1, "user.*");
    Sub b = add(2, "user.*");
    Sub c = add(3, "user.*");

    // When
    trie.remove(TopicPattern.of("user.*"), b);

    // Then
    assertThat(trie.match("user.x")).containsExactly(a, c);
  }

  @Test
  void removingTheLastEntryOfAPatternLeavesTheTrieEmptyForItsTopics() {
    // Given
    Sub sub = add(1, "a.#.b");
    trie.match("a.x.b");

    // When
    assertThat(trie.remove(TopicPattern.of("a.#.b"), sub)).isTrue();

    // Then
    assertThat(trie.match("a.x.b")).isSameAs(EMPTY);
    assertThat(trie.remove(TopicPattern.of("a.#.b"), sub)).isFalse();
  }

  @Test
  void matchesInPolynomialTimeWhenManyHashesCanSplitALongTopic() {
    // Given patterns that a backtracking walk explores in exponentially many ways
    Sub hashes = add(1, String.join(".", Collections.nCopies(40, "#")));
    Sub interleaved = add(2, String.join(".", Collections.nCopies(20, "#.a")) + ".#");
    add(3, String.join(".", Collections.nCopies(40, "#")) + ".b");
    String topic = String.join(".", Collections.nCopies(100, "a"));

    // When
    Sub[] matched = assertTimeoutPreemptively(Duration.ofSeconds(2), () -> trie.match(topic));

    // Then
    assertThat(matched).containsExactly(hashes, interleaved);
  }

  @Test
  void concurrentAddRemoveAndMatchNeitherThrowNorLoseEntries() throws Exception {
    // Given writers that add and remove while readers match, all released at once
    executor = Executors.newFixedThreadPool(4);
    int writers = 2;
    int perWriter = 2_000;
    CountDownLatch start = new CountDownLatch(1);
    AtomicBoolean writing = new AtomicBoolean(true);
    String[] patterns = {"a.*", "a.#", "#", "*.b", "a.b", "#.b", "a.*.c"};
    List<Future<?>> futures = new ArrayList<>();
    List<List<Sub>> kept = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      List<Sub> mine = Collections.synchronizedList(new ArrayList<>());
      kept.add(mine);
      int writer = w;
      futures.add(executor.submit(() -> {
        start.await();
        for (int i = 0; i < perWriter; i++) {
          Sub sub = new Sub((long) writer * perWriter + i, patterns[i % patterns.length]);
          trie.add(sub.pattern, sub);
          if (i % 2 == 0) {
            trie.remove(sub.pattern, sub);
          } else {
            mine.add(sub);
          }
        }
        return null;
      }));
    }
    for (int r = 0; r < 2; r++) {
      futures.add(executor.submit(() -> {
        start.await();
        String[] topics = {"a.b", "a.x.c", "a", "z.b", "a.b.c"};
        int i = 0;
        while (writing.get()) {
          String topic = topics[i++ % topics.length];
          for (Sub sub : trie.match(topic)) {
            assertThat(sub.pattern.matches(topic)).as("%s matched '%s'", sub, topic).isTrue();
          }
        }
        return null;
      }));
    }

    // When
    start.countDown();
    try {
      for (Future<?> writer : futures.subList(0, writers)) {
        writer.get(20, TimeUnit.SECONDS);
      }
    } finally {
      writing.set(false);
    }
    for (Future<?> reader : futures.subList(writers, futures.size())) {
      reader.get(20, TimeUnit.SECONDS);
    }

    // Then every entry that was added and not removed is matched, once, in order
    List<Sub> expected = kept.stream().flatMap(List::stream)
        .filter(s -> s.pattern.matches("a.b"))
        .sorted(Comparator.comparingLong(s -> s.seq))
        .toList();
    assertThat(trie.match("a.b")).containsExactlyElementsOf(expected);
  }

  private static String randomText(Random random, String[] alphabet, int segments) {
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < segments; i++) {
      parts.add(alphabet[random.nextInt(alphabet.length)]);
    }
    return String.join(".", parts);
  }

  @org.junit.jupiter.api.Test
  void removingPatternsPrunesTheNodesOnlyTheyUsed() {
    // Given a trie with one long-lived pattern
    TopicTrie<String> trie = new TopicTrie<>(String::length, new String[0]);
    trie.add(io.fluxbus.TopicPattern.of("orders.*.created"), "keep");
    int baseline = trie.nodeCount();

    // When many unique patterns come and go, some sharing a prefix with the kept one
    for (int i = 0; i < 500; i++) {
      io.fluxbus.TopicPattern pattern = io.fluxbus.TopicPattern.of("orders." + i + ".#.reply");
      String entry = "e" + i;
      trie.add(pattern, entry);
      trie.remove(pattern, entry);
    }

    // Then the trie is back to its size, and the kept pattern still matches
    org.assertj.core.api.Assertions.assertThat(trie.nodeCount()).isEqualTo(baseline);
    org.assertj.core.api.Assertions.assertThat(trie.match("orders.eu.created")).containsExactly("keep");
    org.assertj.core.api.Assertions.assertThat(trie.match("orders.7.x.reply")).isEmpty();
  }
}
