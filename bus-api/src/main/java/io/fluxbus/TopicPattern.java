package io.fluxbus;

import java.util.Objects;

/**
 * A validated subscription pattern: topic segments plus {@code *} for exactly one segment and {@code #} for
 * zero or more (AMQP topic-exchange rules). {@code user.*} matches {@code user.created} but not
 * {@code user.profile.updated}; {@code user.#} matches both and {@code user} too; {@code #} matches every topic.
 *
 * <p>Immutable and thread-safe. Engines match many patterns at once through a segment trie; this type is the
 * single-pattern reference that the trie must agree with.
 *
 * @param value the pattern text
 */
public record TopicPattern(String value) {

  private static final String RULES =
      "a pattern is dot-separated segments, each a topic segment (1+ characters other than '.', '*', '#', "
          + "whitespace and control characters), '*' (exactly one segment) or '#' (zero or more segments), at most "
          + Topics.MAX_LENGTH + " characters";

  /**
   * Validates a pattern.
   *
   * @throws InvalidPatternException naming the pattern, the offending position and the rules
   * @throws NullPointerException if value is null
   */
  public TopicPattern {
    Objects.requireNonNull(value, "pattern must not be null");
    String problem = Topics.problem(value, true);
    if (problem != null) {
      throw new InvalidPatternException("Invalid pattern '" + value + "': " + problem + "; " + RULES);
    }
  }

  /**
   * Parses a pattern.
   *
   * @param pattern the pattern text
   * @return the validated pattern
   * @throws InvalidPatternException if the text breaks the pattern rules
   */
  public static TopicPattern of(String pattern) {
    return new TopicPattern(pattern);
  }

  /**
   * Tells whether this pattern matches a topic.
   *
   * @param topic a valid topic
   * @return true when an event on {@code topic} reaches a subscription to this pattern
   */
  public boolean matches(String topic) {
    return matches(value.split("\\.", -1), topic.split("\\.", -1));
  }

  /** True when this pattern has no wildcard, so it matches exactly one topic. */
  public boolean isLiteral() {
    return value.indexOf('*') < 0 && value.indexOf('#') < 0;
  }

  /**
   * Matches segment by segment, keeping the set of topic positions the pattern prefix can end at. A backtracking
   * matcher would take exponential time on patterns like {@code #.#.#.#.b}; this takes O(pattern x topic).
   */
  private static boolean matches(String[] pattern, String[] topic) {
    boolean[] reachable = new boolean[topic.length + 1];
    reachable[0] = true;
    for (String segment : pattern) {
      boolean[] next = new boolean[topic.length + 1];
      boolean any = false;
      if (segment.equals("#")) {
        boolean reached = false;
        for (int t = 0; t <= topic.length; t++) {
          reached |= reachable[t];
          next[t] = reached;
          any |= reached;
        }
      } else {
        for (int t = 0; t < topic.length; t++) {
          if (reachable[t] && (segment.equals("*") || segment.equals(topic[t]))) {
            next[t + 1] = true;
            any = true;
          }
        }
      }
      if (!any) {
        return false;
      }
      reachable = next;
    }
    return reachable[topic.length];
  }

  @Override
  public String toString() {
    return value;
  }
}
