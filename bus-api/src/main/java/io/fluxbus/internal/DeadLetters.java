package io.fluxbus.internal;

import io.fluxbus.DeadLetterHeaders;
import io.fluxbus.Event;
import io.fluxbus.SubscribeOptions;
import io.fluxbus.Topics;
import java.util.Map;

/**
 * Dead letters, the same for every engine: where an event whose handler failed its last attempt goes, and what
 * the letter carries. The letter has the failed event's payload, key and version, is caused by it (same
 * correlation id), keeps its headers, and adds {@code dlqerror} (the error), {@code dlqtopic} (the original
 * topic), {@code dlqattempts} and a header naming who failed ({@code dlqsubscription} or {@code dlqgroup}): the
 * names are {@link DeadLetterHeaders}.
 */
public final class DeadLetters {

  private static final int MAX_ERROR_LENGTH = 1000;

  private DeadLetters() {}

  /**
   * The dead-letter topic for a failure on a subscription: its {@code deadLetter(topic)}, else
   * {@code <topic>.dlq} when it retries, else null (the failure is only reported).
   */
  public static String topicFor(SubscribeOptions options, Event<?> failed) {
    return options.deadLetter().orElse(options.retry().retries() ? failed.topic() + ".dlq" : null);
  }

  /**
   * Builds the letter for {@code failed}.
   *
   * @param topic the dead-letter topic
   * @param error what failed, e.g. the exception's class and message (cut at 1000 characters)
   * @param attempts how often the handler was tried
   * @param failedBy one header naming who failed, e.g. {@code Map.of("dlqgroup", "payments")}
   * @throws io.fluxbus.InvalidTopicException if the topic is invalid (e.g. {@code <topic>.dlq} too long)
   */
  public static Event<Object> letter(Event<Object> failed, String topic, String error, int attempts,
                                     Map<String, String> failedBy) {
    Event.Builder<Object> builder = Event.builder(topic, failed.payload())
        .key(failed.key())
        .version(failed.version())
        .causedBy(failed);
    failed.headers().forEach(builder::header);
    failedBy.forEach(builder::header);
    return builder
        .header(DeadLetterHeaders.ERROR, cut(error))
        .header(DeadLetterHeaders.TOPIC, failed.topic())
        .header(DeadLetterHeaders.ATTEMPTS, Integer.toString(attempts))
        .build();
  }

  /**
   * Builds the letter for a log entry that is not an event this engine can read, so that it is kept rather than
   * read again and again. Its payload is what the entry held (as text), its topic {@code <topic>.dlq} when the
   * entry names a valid topic, else {@code fluxbus.undecodable}; it carries {@code dlqerror}, {@code dlqtopic} (the
   * topic named, or empty), {@code dlqattempts} 0, {@code dlqentry} (where it was in the log) and {@code failedBy}.
   *
   * @param topic the topic the entry names, or null
   * @param entry where the entry is in the log, e.g. a stream entry id or a log position
   * @param raw what the entry held
   * @param error why it cannot be read
   */
  public static Event<Object> undecodable(String topic, String entry, String raw, String error,
                                          Map<String, String> failedBy) {
    String letterTopic = topic != null && Topics.isValid(topic + ".dlq") ? topic + ".dlq"
        : "fluxbus.undecodable";
    Event.Builder<Object> builder = Event.builder(letterTopic, (Object) (raw == null ? "" : raw));
    failedBy.forEach(builder::header);
    return builder
        .header(DeadLetterHeaders.ERROR, cut(error))
        .header(DeadLetterHeaders.TOPIC, topic == null ? "" : topic)
        .header(DeadLetterHeaders.ATTEMPTS, "0")
        .header(DeadLetterHeaders.ENTRY, entry)
        .build();
  }

  private static String cut(String error) {
    return error.length() > MAX_ERROR_LENGTH ? error.substring(0, MAX_ERROR_LENGTH) : error;
  }
}
