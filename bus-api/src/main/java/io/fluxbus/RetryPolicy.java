package io.fluxbus;

import java.time.Duration;
import java.util.Objects;
import reactor.util.retry.Retry;
import reactor.util.retry.RetryBackoffSpec;

/**
 * How often a failed handler is tried again before its event is counted as failed and dead-lettered.
 *
 * @param maxAttempts total attempts including the first, 1 or more ({@code 1} means no retry)
 * @param firstBackoff the wait before the second attempt; doubles each time, with jitter (zero means 1 ms)
 * @param maxBackoff the longest wait between attempts
 */
public record RetryPolicy(int maxAttempts, Duration firstBackoff, Duration maxBackoff) {

  private static final RetryPolicy NONE = new RetryPolicy(1, Duration.ZERO, Duration.ZERO);

  /**
   * Validates the policy.
   *
   * @throws IllegalArgumentException if maxAttempts is below 1, or a backoff is negative, or maxBackoff is
   *     below firstBackoff
   */
  public RetryPolicy {
    Objects.requireNonNull(firstBackoff, "firstBackoff must not be null");
    Objects.requireNonNull(maxBackoff, "maxBackoff must not be null");
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be 1 or more, got " + maxAttempts);
    }
    if (firstBackoff.isNegative() || maxBackoff.compareTo(firstBackoff) < 0) {
      throw new IllegalArgumentException("backoffs must satisfy 0 <= firstBackoff <= maxBackoff, got "
          + firstBackoff + " and " + maxBackoff);
    }
  }

  /** One attempt, no retry. The default. */
  public static RetryPolicy none() {
    return NONE;
  }

  /**
   * Up to {@code maxAttempts} attempts, waiting {@code firstBackoff}, then twice that, and so on up to
   * {@code maxBackoff}, with jitter.
   */
  public static RetryPolicy exponential(int maxAttempts, Duration firstBackoff, Duration maxBackoff) {
    return new RetryPolicy(maxAttempts, firstBackoff, maxBackoff);
  }

  /** True when a failure is tried again at least once. */
  public boolean retries() {
    return maxAttempts > 1;
  }

  /**
   * This policy as a Reactor {@link Retry} for {@code Mono.retryWhen}; delays run on
   * {@code Schedulers.parallel()}, so virtual time applies.
   */
  public RetryBackoffSpec toRetry() {
    return Retry.backoff(maxAttempts - 1L, firstBackoff.isZero() ? Duration.ofMillis(1) : firstBackoff)
        .maxBackoff(maxBackoff.isZero() ? Duration.ofMillis(1) : maxBackoff)
        .onRetryExhaustedThrow((spec, signal) -> signal.failure());
  }
}
