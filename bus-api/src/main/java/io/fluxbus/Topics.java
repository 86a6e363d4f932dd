package io.fluxbus;

import java.util.Objects;

/**
 * Topic rules. A topic is dot-separated segments, e.g. {@code order.created}; a segment is one or more
 * characters other than {@code .}, {@code *}, {@code #}, whitespace and control characters (U+0000 to U+001F,
 * U+007F to U+009F), and a topic is at most 255 characters of well-formed UTF-16 (no unpaired surrogate, so every
 * topic has a UTF-8 form). Patterns (see {@link TopicPattern}) add {@code *} (exactly one segment) and {@code #}
 * (zero or more).
 *
 * <p>The rules are engine-neutral: they refuse only what no engine, log or dashboard can carry faithfully. Brokers
 * with narrower names map topics onto their own instead of narrowing these rules: Kafka topic names allow only
 * {@code [a-zA-Z0-9._-]}, at most 249, and NATS subjects give {@code *} and {@code >} a meaning, so a Kafka or
 * NATS engine escapes other characters (e.g. {@code é}, {@code :}, {@code >}) in the names it uses.
 */
public final class Topics {

  /** The longest topic or pattern, in characters. */
  public static final int MAX_LENGTH = 255;

  private static final String RULES =
      "a topic is dot-separated segments of 1+ characters other than '.', '*', '#' and whitespace, "
          + "without control characters or unpaired surrogates, at most " + MAX_LENGTH + " characters";

  /**
   * Topic strings validated lately, by identity: an event copied at publish (to fill in its source) keeps the
   * very topic string its original was validated with, so the copy need not scan it again. Plain racy slots are
   * enough: a slot only ever holds a string that passed validation, and a missed entry just means a new scan.
   */
  private static final String[] RECENTLY_VALID = new String[256];

  private Topics() {}

  /**
   * Checks a topic.
   *
   * @param topic the topic to check
   * @return the topic, unchanged
   * @throws InvalidTopicException naming the topic, the offending position and the rules
   * @throws NullPointerException if topic is null
   */
  public static String requireValid(String topic) {
    Objects.requireNonNull(topic, "topic must not be null");
    int slot = topic.hashCode() & (RECENTLY_VALID.length - 1);
    if (RECENTLY_VALID[slot] == topic) {
      return topic;
    }
    String problem = problem(topic, false);
    if (problem != null) {
      throw new InvalidTopicException("Invalid topic '" + topic + "': " + problem + "; " + RULES);
    }
    RECENTLY_VALID[slot] = topic;
    return topic;
  }

  /**
   * Tells whether a topic is valid, without throwing.
   *
   * @param topic the topic, may be null
   * @return true when {@link #requireValid} would accept it
   */
  public static boolean isValid(String topic) {
    return topic != null && problem(topic, false) == null;
  }

  /** Returns what is wrong with a topic or pattern, or null when nothing is. */
  static String problem(String text, boolean pattern) {
    if (text.isEmpty()) {
      return "it is empty";
    }
    if (text.length() > MAX_LENGTH) {
      return "it has " + text.length() + " characters";
    }
    int segmentStart = 0;
    for (int i = 0; i <= text.length(); i++) {
      if (i == text.length() || text.charAt(i) == '.') {
        if (i == segmentStart) {
          return "empty segment at index " + i;
        }
        if (pattern && i - segmentStart > 1) {
          for (int j = segmentStart; j < i; j++) {
            char w = text.charAt(j);
            if (w == '*' || w == '#') {
              return "wildcard '" + w + "' at index " + j + " must be a whole segment";
            }
          }
        }
        segmentStart = i + 1;
        continue;
      }
      char c = text.charAt(i);
      // isWhitespace alone lets no-break spaces (U+00A0, U+202F) through; isSpaceChar catches them.
      if (Character.isWhitespace(c) || Character.isSpaceChar(c)) {
        return "whitespace at index " + i;
      }
      if (Character.isISOControl(c)) {
        return String.format("control character U+%04X at index %d", (int) c, i);
      }
      if (Character.isHighSurrogate(c) ? i + 1 == text.length() || !Character.isLowSurrogate(text.charAt(i + 1))
          : Character.isLowSurrogate(c) && (i == 0 || !Character.isHighSurrogate(text.charAt(i - 1)))) {
        return String.format("unpaired surrogate U+%04X at index %d", (int) c, i);
      }
      if ((c == '*' || c == '#') && !pattern) {
        return "wildcard '" + c + "' at index " + i + " is only allowed in subscription patterns";
      }
    }
    return null;
  }
}
