package io.fluxbus;

import java.util.Objects;

/**
 * Topic rules. A topic is dot-separated segments, e.g. {@code order.created}; a segment is one or more
 * characters other than {@code .}, {@code *}, {@code #} and whitespace; a topic is at most 255 characters.
 * Patterns (see {@link TopicPattern}) add {@code *} (exactly one segment) and {@code #} (zero or more).
 */
public final class Topics {

  /** The longest topic or pattern, in characters. */
  public static final int MAX_LENGTH = 255;

  private static final String RULES =
      "a topic is dot-separated segments of 1+ characters other than '.', '*', '#' and whitespace, "
          + "at most " + MAX_LENGTH + " characters";

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
      if ((c == '*' || c == '#') && !pattern) {
        return "wildcard '" + c + "' at index " + i + " is only allowed in subscription patterns";
      }
    }
    return null;
  }
}
