package io.fluxbus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("TopicPattern: validation and AMQP topic-exchange matching")
class TopicPatternTest {

  // ---- validation -------------------------------------------------------------------------------------------

  @ParameterizedTest(name = "\"{0}\" is a valid pattern")
  @ValueSource(strings = {"user.created", "user.*", "user.#", "#", "*", "a.#.b", "#.b", "a.#.#", "#.#", "#.#.#",
      "*.*", "*.#", "#.*", "a.*.b.#", "model_name:created"})
  void acceptsLiteralSegmentsStarAndHashAsWholeSegments(String pattern) {
    assertThat(TopicPattern.of(pattern).value()).isEqualTo(pattern);
  }

  @ParameterizedTest(name = "\"{0}\" mixes a wildcard into a segment")
  @ValueSource(strings = {"a*", "#a", "a.b#", "a.*b.c", "**", "##", "*#", "user.cre*ted"})
  void rejectsAWildcardThatIsNotAWholeSegment(String pattern) {
    assertThatThrownBy(() -> TopicPattern.of(pattern))
        .isInstanceOf(InvalidPatternException.class)
        .hasMessageContaining("'" + pattern + "'")
        .hasMessageContaining("must be a whole segment");
  }

  @ParameterizedTest(name = "control character in \"{0}\"")
  @ValueSource(strings = {"orders.\u0000.#", "\u001B.*", "a.\u007F"})
  void rejectsControlCharactersLikeTopicsDo(String pattern) {
    assertThatThrownBy(() -> TopicPattern.of(pattern))
        .isInstanceOf(InvalidPatternException.class)
        .hasMessageContaining("control character U+");
  }

  @Test
  void namesTheWildcardAndItsIndexWhenItIsNotAWholeSegment() {
    assertThatThrownBy(() -> TopicPattern.of("user.a*"))
        .hasMessageContaining("wildcard '*' at index 6 must be a whole segment");
  }

  @ParameterizedTest(name = "\"{0}\" has an empty segment")
  @ValueSource(strings = {"a..b", ".#", "#.", "*..*", "."})
  void rejectsEmptySegments(String pattern) {
    assertThatThrownBy(() -> TopicPattern.of(pattern))
        .isInstanceOf(InvalidPatternException.class)
        .hasMessageContaining("'" + pattern + "'")
        .hasMessageContaining("empty segment");
  }

  @Test
  void rejectsTheEmptyPattern() {
    assertThatThrownBy(() -> TopicPattern.of(""))
        .isInstanceOf(InvalidPatternException.class)
        .hasMessageContaining("it is empty");
  }

  @Test
  void rejectsWhitespaceInAPattern() {
    assertThatThrownBy(() -> TopicPattern.of("user. *"))
        .isInstanceOf(InvalidPatternException.class)
        .hasMessageContaining("'user. *'")
        .hasMessageContaining("whitespace at index 5");
  }

  @Test
  void rejectsAPatternLongerThan255Characters() {
    // Given
    String ok = "#." + "a".repeat(253);
    String tooLong = "#." + "a".repeat(254);

    // When / Then
    assertThat(TopicPattern.of(ok).value()).hasSize(255);
    assertThatThrownBy(() -> TopicPattern.of(tooLong))
        .isInstanceOf(InvalidPatternException.class)
        .hasMessageContaining("it has 256 characters")
        .hasMessageContaining("at most 255 characters");
  }

  @Test
  void statesThePatternRulesInTheMessage() {
    assertThatThrownBy(() -> TopicPattern.of("a*"))
        .hasMessageContaining("'*' (exactly one segment) or '#' (zero or more segments)");
  }

  @Test
  void rejectsNull() {
    assertThatNullPointerException().isThrownBy(() -> TopicPattern.of(null)).withMessageContaining("pattern");
  }

  @Test
  void isLiteralOnlyWithoutWildcards() {
    assertThat(TopicPattern.of("user.created").isLiteral()).isTrue();
    assertThat(TopicPattern.of("user.*").isLiteral()).isFalse();
    assertThat(TopicPattern.of("user.#").isLiteral()).isFalse();
  }

  @Test
  void patternsWithTheSameTextAreEqual() {
    assertThat(TopicPattern.of("a.#")).isEqualTo(TopicPattern.of("a.#")).hasToString("a.#");
  }

  // ---- matching ---------------------------------------------------------------------------------------------

  @ParameterizedTest(name = "\"{0}\" vs \"{1}\" -> {2}")
  @CsvSource({
      "user.*,        user.created,          true",
      "user.*,        user.profile.updated,  false",
      "user.*,        user,                  false",
      "user.#,        user.created,          true",
      "user.#,        user.profile.updated,  true",
      "user.#,        user,                  true",
      "user.#,        users,                 false",
      "user.#,        admin.user,            false",
      "#,             a,                     true",
      "#,             a.b.c.d.e,             true",
      "*,             a,                     true",
      "*,             a.b,                   false",
      "*.*,           a.b,                   true",
      "*.*,           a,                     false",
      "*.*,           a.b.c,                 false",
      "a.#.b,         a.b,                   true",
      "a.#.b,         a.x.b,                 true",
      "a.#.b,         a.x.y.b,               true",
      "a.#.b,         a.b.c,                 false",
      "a.#.b,         a,                     false",
      "#.b,           b,                     true",
      "#.b,           a.b,                   true",
      "#.b,           a.x.b,                 true",
      "#.b,           b.a,                   false",
      "a.#.#,         a,                     true",
      "a.#.#,         a.b.c,                 true",
      "#.#,           a,                     true",
      "#.*,           a,                     true",
      "#.*,           a.b.c,                 true",
      "*.#,           a,                     true",
      "*.#.*,         a,                     false",
      "*.#.*,         a.b,                   true",
      "#.a.#,         a.a,                   true",
      "#.a.#,         b.b,                   false",
      "user.created,  user.created,          true",
      "user.created,  user.Created,          false",
      "user.created,  user.created.x,        false",
  })
  void matchesByTheAmqpRules(String pattern, String topic, boolean expected) {
    assertThat(TopicPattern.of(pattern).matches(topic)).isEqualTo(expected);
  }

  @Test
  void agreesWithABacktrackingReferenceOnRandomPatternsAndTopics() {
    // Given a seeded random walk over a small alphabet, where wildcards overlap literals often
    long seed = Long.getLong("fluxbus.seed", System.nanoTime());
    Random random = new Random(seed);
    String[] patternSegments = {"a", "b", "*", "#"};
    String[] topicSegments = {"a", "b"};

    for (int i = 0; i < 20_000; i++) {
      String pattern = randomText(random, patternSegments, 1 + random.nextInt(6));
      String topic = randomText(random, topicSegments, 1 + random.nextInt(7));

      // When
      boolean actual = TopicPattern.of(pattern).matches(topic);

      // Then
      boolean expected = backtrackingMatch(pattern.split("\\."), 0, topic.split("\\."), 0);
      if (actual != expected) {
        fail("seed " + seed + ": '" + pattern + "' vs '" + topic + "' gave " + actual + ", expected " + expected);
      }
    }
  }

  @Test
  void matchesInPolynomialTimeWhenManyHashesCanSplitALongTopic() {
    // Given a pattern that a backtracking matcher explores in C(segments + hashes, hashes) ways before failing
    String pattern = String.join(".", Collections.nCopies(40, "#")) + ".b";
    String topic = String.join(".", Collections.nCopies(100, "a"));

    // When / Then
    boolean matched = assertTimeoutPreemptively(Duration.ofSeconds(2), () -> TopicPattern.of(pattern).matches(topic));
    assertThat(matched).isFalse();
  }

  static String randomText(Random random, String[] alphabet, int segments) {
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < segments; i++) {
      parts.add(alphabet[random.nextInt(alphabet.length)]);
    }
    return String.join(".", parts);
  }

  /** The AMQP rules, transcribed literally; exponential in the worst case, fine for short inputs. */
  private static boolean backtrackingMatch(String[] pattern, int p, String[] topic, int t) {
    if (p == pattern.length) {
      return t == topic.length;
    }
    if (pattern[p].equals("#")) {
      for (int skip = t; skip <= topic.length; skip++) {
        if (backtrackingMatch(pattern, p + 1, topic, skip)) {
          return true;
        }
      }
      return false;
    }
    return t < topic.length && (pattern[p].equals("*") || pattern[p].equals(topic[t]))
        && backtrackingMatch(pattern, p + 1, topic, t + 1);
  }
}
