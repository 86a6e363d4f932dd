package io.fluxbus.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxbus.TopicPattern;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PatternAlgebraTest {

  @ParameterizedTest(name = "{0} ∩ {1} = {2}")
  @CsvSource({
      "user.*, user.admin.#, true",
      "user.*, user.admin.x, false",
      "orders.#, billing.#, false",
      "#, a.b.c, true",
      "a.*.c, a.b.*, true",
      "a.#.z, a.z, true",
      "*.*, a, false",
      "#.dlq, order.#, true",
      "a.b, a.b, true",
      "a.b, a.c, false"})
  void intersects(String a, String b, boolean expected) {
    assertThat(PatternAlgebra.intersects(TopicPattern.of(a), TopicPattern.of(b))).isEqualTo(expected);
    assertThat(PatternAlgebra.intersects(TopicPattern.of(b), TopicPattern.of(a))).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} covers {1} = {2}")
  @CsvSource({
      "orders.#, orders.created, true",
      "orders.#, orders.*, true",
      "orders.#, orders, true",
      "orders.*, orders.#, false",
      "orders.*, orders.*, true",
      "#, a.#.b, true",
      "a.#, #, false",
      "*.b, a.b, true",
      "a.b, *.b, false",
      "#.b, a.#.b, true"})
  void covers(String wide, String narrow, boolean expected) {
    assertThat(PatternAlgebra.covers(TopicPattern.of(wide), TopicPattern.of(narrow))).isEqualTo(expected);
  }

  @Test
  void agreesWithTopicMatchingOnRandomPatterns() {
    long seed = new Random().nextLong();
    Random random = new Random(seed);
    List<String> topics = allTopics();
    for (int i = 0; i < 2000; i++) {
      TopicPattern a = TopicPattern.of(randomPattern(random));
      TopicPattern b = TopicPattern.of(randomPattern(random));
      boolean someTopicMatchesBoth = topics.stream().anyMatch(t -> a.matches(t) && b.matches(t));
      boolean everyTopicOfBMatchesA = topics.stream().filter(b::matches).allMatch(a::matches);
      assertThat(PatternAlgebra.intersects(a, b)).as("seed %d: %s ∩ %s", seed, a, b)
          .isEqualTo(someTopicMatchesBoth);
      if (PatternAlgebra.covers(a, b)) {
        assertThat(everyTopicOfBMatchesA).as("seed %d: %s covers %s", seed, a, b).isTrue();
      }
    }
  }

  /** Every topic of up to four segments over {x, y}, plus one literal no pattern names. */
  private static List<String> allTopics() {
    List<String> topics = new ArrayList<>();
    List<String> level = List.of("");
    for (int depth = 1; depth <= 4; depth++) {
      List<String> next = new ArrayList<>();
      for (String prefix : level) {
        for (String segment : List.of("x", "y", "q")) {
          next.add(prefix.isEmpty() ? segment : prefix + "." + segment);
        }
      }
      topics.addAll(next);
      level = next;
    }
    return topics;
  }

  private static String randomPattern(Random random) {
    String[] segments = {"x", "y", "*", "#"};
    int length = 1 + random.nextInt(3);
    StringBuilder pattern = new StringBuilder();
    for (int i = 0; i < length; i++) {
      pattern.append(i == 0 ? "" : ".").append(segments[random.nextInt(segments.length)]);
    }
    return pattern.toString();
  }
}
