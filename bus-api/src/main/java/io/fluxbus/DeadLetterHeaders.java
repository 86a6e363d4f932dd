package io.fluxbus;

/**
 * The headers every engine puts on a dead letter: the event a handler failed on its last attempt, published to the
 * subscription's {@link SubscribeOptions#deadLetter dead-letter topic} (or {@code <topic>.dlq} when it retries).
 * The letter keeps the failed event's payload, key, version and headers, is {@link Event.Builder#causedBy caused
 * by} it, and adds these. Read them with {@code letter.headers().get(DeadLetterHeaders.ERROR)}.
 */
public final class DeadLetterHeaders {

  /** What failed: the exception's class and message, at most 1,000 characters. */
  public static final String ERROR = "dlqerror";
  /** The topic the failed event was published on (empty for a log entry that named none). */
  public static final String TOPIC = "dlqtopic";
  /** How often the handler was tried, in decimal; {@code 0} for a log entry that could not be decoded. */
  public static final String ATTEMPTS = "dlqattempts";
  /** The id of the in-process subscription that failed it (ungrouped, or a group on an in-process engine). */
  public static final String SUBSCRIPTION = "dlqsubscription";
  /** The durable consumer group that failed it. */
  public static final String GROUP = "dlqgroup";
  /** Where an undecodable entry was in the engine's log (a stream entry id, a log position, an offset). */
  public static final String ENTRY = "dlqentry";

  private DeadLetterHeaders() {}
}
