package io.fluxbus;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * How a subscription receives events. Immutable and thread-safe; every setter returns a new instance:
 * {@code SubscribeOptions.defaults().async(true).group("billing").concurrency(4)}.
 *
 * <p>Unset values fall back to the bus's defaults (delivery mode, buffer size).
 */
public final class SubscribeOptions {

  private static final SubscribeOptions DEFAULTS = new SubscribeOptions(false, null, null, 0, 1,
      StartPosition.latest(), RetryPolicy.none(), null);

  private final boolean async;
  private final String group;
  private final DeliveryMode deliveryMode;
  private final int bufferSize;
  private final int concurrency;
  private final StartPosition startFrom;
  private final RetryPolicy retry;
  private final String deadLetter;

  private SubscribeOptions(boolean async, String group, DeliveryMode deliveryMode, int bufferSize,
                           int concurrency, StartPosition startFrom, RetryPolicy retry, String deadLetter) {
    this.async = async;
    this.group = group;
    this.deliveryMode = deliveryMode;
    this.bufferSize = bufferSize;
    this.concurrency = concurrency;
    this.startFrom = startFrom;
    this.retry = retry;
    this.deadLetter = deadLetter;
  }

  /** Sync, no group, the bus's delivery mode and buffer size, concurrency 1, latest, no retry. */
  public static SubscribeOptions defaults() {
    return DEFAULTS;
  }

  /** Async: events are buffered and handled on the bus's workers instead of the publishing thread. */
  public SubscribeOptions async(boolean async) {
    return new SubscribeOptions(async, group, deliveryMode, bufferSize, concurrency, startFrom, retry, deadLetter);
  }

  /**
   * Joins a consumer group: subscriptions with the same group name and pattern compete, each event going to one
   * of them.
   *
   * @throws IllegalArgumentException if the name is blank
   */
  public SubscribeOptions group(String group) {
    Objects.requireNonNull(group, "group must not be null");
    if (group.isBlank()) {
      throw new IllegalArgumentException("group name must not be blank");
    }
    return new SubscribeOptions(async, group, deliveryMode, bufferSize, concurrency, startFrom, retry, deadLetter);
  }

  /** What publish does when this subscription's buffer is full. */
  public SubscribeOptions deliveryMode(DeliveryMode deliveryMode) {
    Objects.requireNonNull(deliveryMode, "deliveryMode must not be null");
    return new SubscribeOptions(async, group, deliveryMode, bufferSize, concurrency, startFrom, retry, deadLetter);
  }

  /**
   * How many events an async subscription buffers.
   *
   * @throws IllegalArgumentException if not positive
   */
  public SubscribeOptions bufferSize(int bufferSize) {
    if (bufferSize < 1) {
      throw new IllegalArgumentException("bufferSize must be 1 or more, got " + bufferSize);
    }
    return new SubscribeOptions(async, group, deliveryMode, bufferSize, concurrency, startFrom, retry, deadLetter);
  }

  /**
   * How many events an async handler subscription handles at once; events with the same key still run one at a
   * time, in order.
   *
   * @throws IllegalArgumentException if not positive
   */
  public SubscribeOptions concurrency(int concurrency) {
    if (concurrency < 1) {
      throw new IllegalArgumentException("concurrency must be 1 or more, got " + concurrency);
    }
    return new SubscribeOptions(async, group, deliveryMode, bufferSize, concurrency, startFrom, retry, deadLetter);
  }

  /** Where a new subscription starts reading (durable engines). */
  public SubscribeOptions startFrom(StartPosition startFrom) {
    Objects.requireNonNull(startFrom, "startFrom must not be null");
    return new SubscribeOptions(async, group, deliveryMode, bufferSize, concurrency, startFrom, retry, deadLetter);
  }

  /** How a failed handler is retried. */
  public SubscribeOptions retry(RetryPolicy retry) {
    Objects.requireNonNull(retry, "retry must not be null");
    return new SubscribeOptions(async, group, deliveryMode, bufferSize, concurrency, startFrom, retry, deadLetter);
  }

  /**
   * Where events go whose handler failed its last attempt. Without it, a subscription with a retrying
   * {@link RetryPolicy} dead-letters to {@code <topic>.dlq}, and one without retries only reports the failure.
   *
   * @throws InvalidTopicException if the topic is invalid
   */
  public SubscribeOptions deadLetter(String topic) {
    Topics.requireValid(topic);
    return new SubscribeOptions(async, group, deliveryMode, bufferSize, concurrency, startFrom, retry, topic);
  }

  /** True for async subscriptions. */
  public boolean isAsync() {
    return async;
  }

  /** The consumer group, if any. */
  public Optional<String> group() {
    return Optional.ofNullable(group);
  }

  /** The delivery mode, when set; else the bus's. */
  public Optional<DeliveryMode> deliveryMode() {
    return Optional.ofNullable(deliveryMode);
  }

  /** The buffer size, when set; else the bus's. */
  public OptionalInt bufferSize() {
    return bufferSize == 0 ? OptionalInt.empty() : OptionalInt.of(bufferSize);
  }

  /** Events handled at once by an async handler subscription; 1 by default. */
  public int concurrency() {
    return concurrency;
  }

  /** Where a new subscription starts reading. */
  public StartPosition startFrom() {
    return startFrom;
  }

  /** The retry policy; none by default. */
  public RetryPolicy retry() {
    return retry;
  }

  /** The dead-letter topic, when set. */
  public Optional<String> deadLetter() {
    return Optional.ofNullable(deadLetter);
  }

  @Override
  public String toString() {
    return "SubscribeOptions{async=" + async + ", group=" + group + ", deliveryMode=" + deliveryMode
        + ", bufferSize=" + bufferSize + ", concurrency=" + concurrency + ", startFrom=" + startFrom
        + ", retry=" + retry + ", deadLetter=" + deadLetter + "}";
  }
}
