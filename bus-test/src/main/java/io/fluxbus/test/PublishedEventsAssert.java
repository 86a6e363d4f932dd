package io.fluxbus.test;

import io.fluxbus.Event;
import io.fluxbus.TopicPattern;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Assertions on the events a bus published; made by {@link PublishedEvents#assertThat}. Each method checks the
 * events as they are when it is called and returns this, for chaining. Patterns follow the bus's rules ({@code *}
 * one segment, {@code #} zero or more), so a plain topic matches itself. Not thread-safe; use from the test thread.
 */
public final class PublishedEventsAssert {

  private static final int MAX_PAYLOAD_TEXT = 200;

  private final Supplier<List<Event<Object>>> published;

  PublishedEventsAssert(Supplier<List<Event<Object>>> published) {
    this.published = published;
  }

  /**
   * Starts an expectation about events on topics matching {@code pattern}; narrow it with {@code with…} and end it
   * with {@link PublishedEventExpectation#once()}, {@code times(n)}, {@code atLeastOnce()} or {@code never()}.
   *
   * @throws io.fluxbus.InvalidPatternException if the pattern is invalid
   */
  public PublishedEventExpectation published(String pattern) {
    return new PublishedEventExpectation(this, TopicPattern.of(pattern));
  }

  /**
   * Asserts that no event was published on a topic matching {@code pattern}.
   *
   * @throws AssertionError listing the offending events and everything published
   * @throws io.fluxbus.InvalidPatternException if the pattern is invalid
   */
  public PublishedEventsAssert publishedNothingOn(String pattern) {
    TopicPattern topics = TopicPattern.of(pattern);
    List<Event<Object>> events = events();
    List<Integer> offending = new ArrayList<>();
    for (int i = 0; i < events.size(); i++) {
      if (topics.matches(events.get(i).topic())) {
        offending.add(i);
      }
    }
    if (!offending.isEmpty()) {
      throw new AssertionError("Expected nothing published on '" + pattern + "', but " + count(offending.size())
          + " " + (offending.size() == 1 ? "was" : "were") + ": "
          + offending.stream().map(i -> "#" + (i + 1)).collect(Collectors.joining(", ")) + "\n" + describe(events));
    }
    return this;
  }

  /**
   * Asserts that nothing was published at all.
   *
   * @throws AssertionError listing everything published
   */
  public PublishedEventsAssert publishedNothing() {
    List<Event<Object>> events = events();
    if (!events.isEmpty()) {
      throw new AssertionError("Expected nothing published, but " + count(events.size()) + " "
          + (events.size() == 1 ? "was" : "were") + "\n" + describe(events));
    }
    return this;
  }

  /**
   * Asserts that events matching each pattern were published in this order (others may come in between): the
   * first pattern's earliest event, then a later one matching the second pattern, and so on.
   *
   * @throws AssertionError naming the first pattern with no later event, and listing everything published
   * @throws io.fluxbus.InvalidPatternException if a pattern is invalid
   */
  public PublishedEventsAssert publishedInOrder(String... patterns) {
    List<TopicPattern> expected = Arrays.stream(patterns).map(TopicPattern::of).toList();
    List<Event<Object>> events = events();
    int next = 0;
    String matchedSoFar = "";
    for (TopicPattern pattern : expected) {
      while (next < events.size() && !pattern.matches(events.get(next).topic())) {
        next++;
      }
      if (next == events.size()) {
        String expectation = Arrays.stream(patterns).map(p -> "'" + p + "'").collect(Collectors.joining(", "));
        throw new AssertionError("Expected events on " + expectation + " in this order, but no event on '"
            + pattern + "' was published" + (matchedSoFar.isEmpty() ? "" : " after " + matchedSoFar) + "\n"
            + describe(events));
      }
      matchedSoFar = "#" + (next + 1) + " (" + events.get(next).topic() + ")";
      next++;
    }
    return this;
  }

  /** The events published so far, in the order their publishes started. */
  List<Event<Object>> events() {
    return published.get();
  }

  /** "Published events (n):" and one numbered line per event, or "Nothing was published." */
  static String describe(List<Event<Object>> events) {
    if (events.isEmpty()) {
      return "Nothing was published.";
    }
    StringBuilder text = new StringBuilder("Published events (" + events.size() + "):");
    for (int i = 0; i < events.size(); i++) {
      text.append("\n  #").append(i + 1).append(' ').append(describe(events.get(i)));
    }
    return text.toString();
  }

  /** One event on one line: topic, version, key, headers, payload, id. */
  static String describe(Event<?> event) {
    StringBuilder text = new StringBuilder(event.topic()).append(" v").append(event.version());
    if (event.key() != null) {
      text.append(" key=").append(event.key());
    }
    if (!event.headers().isEmpty()) {
      text.append(" headers=").append(event.headers());
    }
    String payload = String.valueOf(event.payload());
    if (payload.length() > MAX_PAYLOAD_TEXT) {
      payload = payload.substring(0, MAX_PAYLOAD_TEXT) + "…";
    }
    return text.append(" payload=").append(payload).append(" id=").append(event.id()).toString();
  }

  private static String count(int events) {
    return events + (events == 1 ? " event" : " events");
  }
}
