package io.fluxbus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("SubscribeOptions: immutable, validated subscription options")
class SubscribeOptionsTest {

  @Test
  void defaultsAreSyncUngroupedConcurrencyOneLatestNoRetryAndBusDefaults() {
    // When
    SubscribeOptions options = SubscribeOptions.defaults();

    // Then
    assertThat(options.isAsync()).isFalse();
    assertThat(options.group()).isEmpty();
    assertThat(options.deliveryMode()).isEmpty();
    assertThat(options.bufferSize()).isEmpty();
    assertThat(options.concurrency()).isEqualTo(1);
    assertThat(options.startFrom()).isEqualTo(StartPosition.latest());
    assertThat(options.retry()).isEqualTo(RetryPolicy.none());
    assertThat(options.deadLetter()).isEmpty();
  }

  @Test
  void settersChainAndEachSetsItsValue() {
    // Given
    RetryPolicy retry = RetryPolicy.exponential(3, Duration.ofMillis(10), Duration.ofSeconds(1));
    Instant from = Instant.parse("2024-01-01T00:00:00Z");

    // When
    SubscribeOptions options = SubscribeOptions.defaults()
        .async(true).group("billing").deliveryMode(DeliveryMode.block()).bufferSize(64).concurrency(4)
        .startFrom(StartPosition.at(from)).retry(retry).deadLetter("billing.failed");

    // Then
    assertThat(options.isAsync()).isTrue();
    assertThat(options.group()).contains("billing");
    assertThat(options.deliveryMode()).contains(DeliveryMode.block());
    assertThat(options.bufferSize()).hasValue(64);
    assertThat(options.concurrency()).isEqualTo(4);
    assertThat(options.startFrom()).isEqualTo(StartPosition.at(from));
    assertThat(options.retry()).isEqualTo(retry);
    assertThat(options.deadLetter()).contains("billing.failed");
  }

  @Test
  void aSetterReturnsANewInstanceAndLeavesTheOriginalUnchanged() {
    // Given
    SubscribeOptions original = SubscribeOptions.defaults().async(true).bufferSize(16);
    String before = original.toString();

    // When
    SubscribeOptions changed = original.async(false).group("g").deliveryMode(DeliveryMode.drop()).bufferSize(32)
        .concurrency(2).startFrom(StartPosition.earliest()).retry(RetryPolicy.none()).deadLetter("dlq");

    // Then
    assertThat(changed).isNotSameAs(original);
    assertThat(original.isAsync()).isTrue();
    assertThat(original.bufferSize()).hasValue(16);
    assertThat(original.group()).isEmpty();
    assertThat(original.concurrency()).isEqualTo(1);
    assertThat(original.deadLetter()).isEmpty();
    assertThat(original).hasToString(before);
  }

  @Test
  void settingAValueOnTheDefaultsDoesNotChangeTheDefaults() {
    // When
    SubscribeOptions.defaults().async(true).group("g").bufferSize(2);

    // Then
    assertThat(SubscribeOptions.defaults().isAsync()).isFalse();
    assertThat(SubscribeOptions.defaults().group()).isEmpty();
    assertThat(SubscribeOptions.defaults().bufferSize()).isEmpty();
  }

  @ParameterizedTest(name = "bufferSize({0})")
  @ValueSource(ints = {0, -1, Integer.MIN_VALUE})
  void rejectsANonPositiveBufferSize(int size) {
    assertThatIllegalArgumentException().isThrownBy(() -> SubscribeOptions.defaults().bufferSize(size))
        .withMessageContaining("bufferSize")
        .withMessageContaining(String.valueOf(size));
  }

  @ParameterizedTest(name = "concurrency({0})")
  @ValueSource(ints = {0, -1})
  void rejectsANonPositiveConcurrency(int concurrency) {
    assertThatIllegalArgumentException().isThrownBy(() -> SubscribeOptions.defaults().concurrency(concurrency))
        .withMessageContaining("concurrency")
        .withMessageContaining(String.valueOf(concurrency));
  }

  @ParameterizedTest(name = "group(\"{0}\")")
  @ValueSource(strings = {"", "  "})
  void rejectsABlankGroup(String group) {
    assertThatIllegalArgumentException().isThrownBy(() -> SubscribeOptions.defaults().group(group))
        .withMessageContaining("group");
  }

  @Test
  void rejectsAnInvalidDeadLetterTopic() {
    assertThatThrownBy(() -> SubscribeOptions.defaults().deadLetter("orders.#"))
        .isInstanceOf(InvalidTopicException.class)
        .hasMessageContaining("'orders.#'");
  }

  @Test
  void rejectsNullValues() {
    SubscribeOptions options = SubscribeOptions.defaults();
    assertThatNullPointerException().isThrownBy(() -> options.group(null));
    assertThatNullPointerException().isThrownBy(() -> options.deliveryMode(null));
    assertThatNullPointerException().isThrownBy(() -> options.startFrom(null));
    assertThatNullPointerException().isThrownBy(() -> options.retry(null));
  }
}
