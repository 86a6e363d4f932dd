package io.fluxbus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("Topics: the topic rules")
class TopicsTest {

  @ParameterizedTest(name = "\"{0}\" is a valid topic")
  @ValueSource(strings = {"order", "order.created", "model_name:created", "a.b.c.d", "Orders.v2-EU", "é.ü", "1.2"})
  void acceptsDotSeparatedNonEmptySegments(String topic) {
    // When / Then
    assertThat(Topics.requireValid(topic)).isSameAs(topic);
    assertThat(Topics.isValid(topic)).isTrue();
  }

  @Test
  void rejectsTheEmptyTopicSayingItIsEmpty() {
    assertThatThrownBy(() -> Topics.requireValid(""))
        .isInstanceOf(InvalidTopicException.class)
        .hasMessageContaining("Invalid topic ''")
        .hasMessageContaining("it is empty");
  }

  @ParameterizedTest(name = "\"{0}\" has an empty segment")
  @ValueSource(strings = {"a..b", ".a", "a.", ".", "a.b..", ".."})
  void rejectsEmptySegmentsIncludingLeadingAndTrailingDots(String topic) {
    assertThatThrownBy(() -> Topics.requireValid(topic))
        .isInstanceOf(InvalidTopicException.class)
        .hasMessageContaining("'" + topic + "'")
        .hasMessageContaining("empty segment");
    assertThat(Topics.isValid(topic)).isFalse();
  }

  @Test
  void namesTheIndexOfTheEmptySegment() {
    assertThatThrownBy(() -> Topics.requireValid("a..b"))
        .hasMessageContaining("empty segment at index 2");
  }

  @ParameterizedTest(name = "whitespace in \"{0}\"")
  @ValueSource(strings = {"a b", " a", "a ", "a\tb", "a\nb", "a.b c", "a\u00a0b", "a\u2003b"})
  void rejectsWhitespaceAnywhere(String topic) {
    assertThatThrownBy(() -> Topics.requireValid(topic))
        .isInstanceOf(InvalidTopicException.class)
        .hasMessageContaining("whitespace at index");
  }

  @ParameterizedTest(name = "control character in \"{0}\"")
  @ValueSource(strings = {"orders.\u0000", "orders.\u001B[31mred", "orders.\u007F", "a\u0085b", "\u0007"})
  void rejectsControlCharactersWhichNoLogOrDashboardShowsFaithfully(String topic) {
    assertThatThrownBy(() -> Topics.requireValid(topic))
        .isInstanceOf(InvalidTopicException.class)
        .hasMessageContaining("control character U+")
        .hasMessageContaining("without control characters");
    assertThat(Topics.isValid(topic)).isFalse();
  }

  @Test
  void namesTheControlCharacterAndItsIndex() {
    assertThatThrownBy(() -> Topics.requireValid("orders.\u001B[31mred"))
        .hasMessageContaining("control character U+001B at index 7");
  }

  @ParameterizedTest(name = "unpaired surrogate in \"{0}\"")
  @ValueSource(strings = {"a\uD800", "a\uD800b", "\uDC00a", "a.\uDC00\uD800"})
  void rejectsUnpairedSurrogatesWhichHaveNoUtf8Form(String topic) {
    assertThatThrownBy(() -> Topics.requireValid(topic))
        .isInstanceOf(InvalidTopicException.class)
        .hasMessageContaining("unpaired surrogate");
  }

  @Test
  void acceptsCharactersOutsideTheBasicPlane() {
    assertThat(Topics.isValid("emoji.\uD83D\uDE80.launched")).isTrue();
  }

  @ParameterizedTest(name = "wildcard in \"{0}\"")
  @ValueSource(strings = {"*", "#", "a.*", "a.#", "a*", "#a", "a.b*c"})
  void rejectsWildcardsWhichBelongOnlyInPatterns(String topic) {
    assertThatThrownBy(() -> Topics.requireValid(topic))
        .isInstanceOf(InvalidTopicException.class)
        .hasMessageContaining("'" + topic + "'")
        .hasMessageContaining("only allowed in subscription patterns");
  }

  @Test
  void acceptsATopicOfExactly255Characters() {
    // Given
    String topic = "a".repeat(127) + "." + "b".repeat(127);

    // When / Then
    assertThat(topic).hasSize(255);
    assertThat(Topics.isValid(topic)).isTrue();
  }

  @Test
  void rejectsATopicOf256CharactersNamingTheLengthAndTheLimit() {
    // Given
    String topic = "a".repeat(128) + "." + "b".repeat(127);

    // When / Then
    assertThat(topic).hasSize(256);
    assertThatThrownBy(() -> Topics.requireValid(topic))
        .isInstanceOf(InvalidTopicException.class)
        .hasMessageContaining(topic)
        .hasMessageContaining("it has 256 characters")
        .hasMessageContaining("at most 255 characters");
  }

  @Test
  void statesTheRulesInEveryMessage() {
    assertThatThrownBy(() -> Topics.requireValid("a..b"))
        .hasMessageContaining("dot-separated segments of 1+ characters other than '.', '*', '#' and whitespace");
  }

  @Test
  void isValidSaysFalseForNullInsteadOfThrowing() {
    assertThat(Topics.isValid(null)).isFalse();
  }

  @Test
  void requireValidRejectsNullWithANullPointerException() {
    assertThatNullPointerException().isThrownBy(() -> Topics.requireValid(null)).withMessageContaining("topic");
  }

  @Test
  void invalidTopicIsABusException() {
    assertThatThrownBy(() -> Topics.requireValid("")).isInstanceOf(BusException.class);
  }
}
