package io.fluxbus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

@DisplayName("RetryPolicy: how often a failed handler is tried")
class RetryPolicyTest {

  @Test
  void noneMakesOneAttemptAndDoesNotRetry() {
    assertThat(RetryPolicy.none().maxAttempts()).isEqualTo(1);
    assertThat(RetryPolicy.none().retries()).isFalse();
  }

  @Test
  void exponentialKeepsItsValuesAndRetries() {
    // When
    RetryPolicy policy = RetryPolicy.exponential(5, Duration.ofMillis(100), Duration.ofSeconds(2));

    // Then
    assertThat(policy.maxAttempts()).isEqualTo(5);
    assertThat(policy.firstBackoff()).isEqualTo(Duration.ofMillis(100));
    assertThat(policy.maxBackoff()).isEqualTo(Duration.ofSeconds(2));
    assertThat(policy.retries()).isTrue();
  }

  @ParameterizedTest(name = "maxAttempts {0}")
  @ValueSource(ints = {0, -1})
  void rejectsFewerThanOneAttempt(int attempts) {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> RetryPolicy.exponential(attempts, Duration.ofMillis(1), Duration.ofMillis(1)))
        .withMessageContaining("maxAttempts")
        .withMessageContaining(String.valueOf(attempts));
  }

  @Test
  void rejectsANegativeFirstBackoff() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> RetryPolicy.exponential(3, Duration.ofMillis(-1), Duration.ofSeconds(1)))
        .withMessageContaining("firstBackoff");
  }

  @Test
  void rejectsAMaxBackoffBelowTheFirstBackoff() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> RetryPolicy.exponential(3, Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .withMessageContaining("PT2S")
        .withMessageContaining("PT1S");
  }

  @Test
  void rejectsNullBackoffs() {
    assertThatNullPointerException().isThrownBy(() -> RetryPolicy.exponential(3, null, Duration.ofSeconds(1)));
    assertThatNullPointerException().isThrownBy(() -> RetryPolicy.exponential(3, Duration.ofSeconds(1), null));
  }

  @Test
  void toRetryMakesExactlyMaxAttemptsAndThenFailsWithTheHandlersError() {
    // Given a handler that always fails, under a policy of 3 attempts
    RetryPolicy policy = RetryPolicy.exponential(3, Duration.ofSeconds(1), Duration.ofSeconds(10));
    AtomicInteger attempts = new AtomicInteger();
    IllegalStateException failure = new IllegalStateException("handler failed");

    // When / Then: in virtual time, so the backoffs cost nothing
    StepVerifier.withVirtualTime(() -> Mono.defer(() -> {
          attempts.incrementAndGet();
          return Mono.error(failure);
        }).retryWhen(policy.toRetry()))
        .expectSubscription()
        .thenAwait(Duration.ofMinutes(1))
        .expectErrorSatisfies(e -> assertThat(e).isSameAs(failure))
        .verify(Duration.ofSeconds(5));
    assertThat(attempts).hasValue(3);
  }

  @Test
  void toRetryOfNoneMakesASingleAttempt() {
    // Given
    AtomicInteger attempts = new AtomicInteger();

    // When / Then
    StepVerifier.create(Mono.defer(() -> {
          attempts.incrementAndGet();
          return Mono.error(new IllegalStateException("boom"));
        }).retryWhen(RetryPolicy.none().toRetry()))
        .expectErrorMessage("boom")
        .verify(Duration.ofSeconds(5));
    assertThat(attempts).hasValue(1);
  }

  @Test
  void toRetryWaitsAtLeastTheFirstBackoffBeforeTheSecondAttempt() {
    // Given
    RetryPolicy policy = RetryPolicy.exponential(2, Duration.ofSeconds(10), Duration.ofSeconds(10));
    AtomicInteger attempts = new AtomicInteger();

    // When / Then: Reactor's jitter never shortens a wait below firstBackoff
    StepVerifier.withVirtualTime(() -> Mono.defer(() -> {
          attempts.incrementAndGet();
          return Mono.<String>error(new IllegalStateException("boom"));
        }).retryWhen(policy.toRetry()))
        .expectSubscription()
        .thenAwait(Duration.ofMillis(9_999))
        .then(() -> assertThat(attempts).hasValue(1))
        .thenAwait(Duration.ofSeconds(30))
        .expectError(IllegalStateException.class)
        .verify(Duration.ofSeconds(5));
    assertThat(attempts).hasValue(2);
  }
}
