package io.fluxbus.test;

import io.fluxbus.BusException;
import io.fluxbus.Event;
import io.fluxbus.TopicPattern;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.IntPredicate;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * An expectation about events on topics matching a pattern, made by
 * {@link PublishedEventsAssert#published(String)}: each {@code with…} adds a condition an event must meet, and a
 * count ({@link #once()}, {@link #times(int)}, {@link #atLeastOnce()}, {@link #never()}) checks how many did.
 * Counts return the {@link PublishedEventsAssert} to go on with other assertions. Not thread-safe.
 */
public final class PublishedEventExpectation {

  /** A named condition; {@code mismatch} returns null when the event meets it, else what was wrong. */
  private record Condition(String description, Function<Event<Object>, String> mismatch) {}

  private final PublishedEventsAssert published;
  private final TopicPattern pattern;
  private final List<Condition> conditions = new ArrayList<>();

  PublishedEventExpectation(PublishedEventsAssert published, TopicPattern pattern) {
    this.published = published;
    this.pattern = pattern;
  }

  /** Requires this partition key. */
  public PublishedEventExpectation withKey(String key) {
    return with("key " + key, event -> Objects.equals(event.key(), key) ? null : "key was " + event.key());
  }

  /** Requires this payload schema version. */
  public PublishedEventExpectation withVersion(int version) {
    return with("version " + version,
        event -> event.version() == version ? null : "version was " + event.version());
  }

  /** Requires this source, as set by the publisher (null when the bus fills it in). */
  public PublishedEventExpectation withSource(String source) {
    return with("source " + source,
        event -> Objects.equals(event.source(), source) ? null : "source was " + event.source());
  }

  /** Requires a header with this value. */
  public PublishedEventExpectation withHeader(String name, String value) {
    return with("header " + name + "=" + value, event -> Objects.equals(event.headers().get(name), value) ? null
        : "header " + name + " was " + event.headers().get(name));
  }

  /** Requires this correlation id. */
  public PublishedEventExpectation withCorrelationId(String correlationId) {
    return with("correlation id " + correlationId, event -> Objects.equals(event.correlationId(), correlationId)
        ? null : "correlation id was " + event.correlationId());
  }

  /** Requires the event to be caused by {@code cause}: its causation id and correlation id come from it. */
  public PublishedEventExpectation causedBy(Event<?> cause) {
    Objects.requireNonNull(cause, "cause must not be null");
    return with("caused by " + cause.topic() + " " + cause.id(), event -> {
      if (!Objects.equals(event.causationId(), cause.id())) {
        return "causation id was " + event.causationId();
      }
      return Objects.equals(event.correlationId(), cause.correlationId()) ? null
          : "correlation id was " + event.correlationId() + ", the cause's is " + cause.correlationId();
    });
  }

  /**
   * Requires a payload equal to {@code expected} once converted to its class (so a {@code Map} payload matches an
   * equal record).
   */
  public PublishedEventExpectation withPayload(Object expected) {
    Objects.requireNonNull(expected, "expected payload must not be null");
    return with("payload " + expected, event -> {
      Object actual;
      try {
        actual = event.payloadAs(expected.getClass());
      } catch (BusException notConvertible) {
        return "payload " + event.payload() + " does not convert to " + expected.getClass().getSimpleName();
      }
      return expected.equals(actual) ? null : "payload was " + actual;
    });
  }

  /**
   * Requires a payload that, converted to {@code type} (see {@link Event#payloadAs}), satisfies {@code predicate}.
   */
  public <P> PublishedEventExpectation withPayloadMatching(Class<P> type, Predicate<? super P> predicate) {
    Objects.requireNonNull(type, "type must not be null");
    Objects.requireNonNull(predicate, "predicate must not be null");
    return with("a " + type.getSimpleName() + " payload matching the predicate", event -> {
      P payload;
      try {
        payload = event.payloadAs(type);
      } catch (BusException notConvertible) {
        return "payload " + event.payload() + " does not convert to " + type.getSimpleName();
      }
      return predicate.test(payload) ? null : "payload " + payload + " did not match the predicate";
    });
  }

  /** Requires any other condition, described for failure messages, e.g. {@code "a key starting with eu-"}. */
  public PublishedEventExpectation matching(String description, Predicate<? super Event<Object>> condition) {
    Objects.requireNonNull(condition, "condition must not be null");
    return with(description, event -> condition.test(event) ? null : "it did not match");
  }

  /**
   * Asserts that exactly one published event meets the expectation.
   *
   * @throws AssertionError listing what was published and why near misses missed
   */
  public PublishedEventsAssert once() {
    return times(1);
  }

  /**
   * Asserts that exactly {@code count} published events meet the expectation.
   *
   * @throws AssertionError listing what was published and why near misses missed
   */
  public PublishedEventsAssert times(int count) {
    if (count < 0) {
      throw new IllegalArgumentException("count must be 0 or more, got " + count);
    }
    check(matches -> matches == count, count == 1 ? "exactly 1 event" : "exactly " + count + " events");
    return published;
  }

  /**
   * Asserts that at least one published event meets the expectation.
   *
   * @throws AssertionError listing what was published and why near misses missed
   */
  public PublishedEventsAssert atLeastOnce() {
    check(matches -> matches >= 1, "at least 1 event");
    return published;
  }

  /**
   * Asserts that no published event meets the expectation.
   *
   * @throws AssertionError listing what was published
   */
  public PublishedEventsAssert never() {
    return times(0);
  }

  /**
   * Asserts that exactly one published event meets the expectation, and returns it for further checks.
   *
   * @throws AssertionError listing what was published and why near misses missed
   */
  public Event<Object> event() {
    once();
    return matches(published.events()).get(0);
  }

  /** The published events that meet the expectation, in publish order; asserts nothing. */
  public List<Event<Object>> events() {
    return matches(published.events());
  }

  private PublishedEventExpectation with(String description, Function<Event<Object>, String> mismatch) {
    conditions.add(new Condition(description, mismatch));
    return this;
  }

  private List<Event<Object>> matches(List<Event<Object>> events) {
    return events.stream().filter(event -> pattern.matches(event.topic()) && firstMismatch(event) == null).toList();
  }

  private String firstMismatch(Event<Object> event) {
    for (Condition condition : conditions) {
      String mismatch = condition.mismatch().apply(event);
      if (mismatch != null) {
        return mismatch + ", expected " + condition.description();
      }
    }
    return null;
  }

  private void check(IntPredicate expectedCount, String expectation) {
    List<Event<Object>> events = published.events();
    int matches = matches(events).size();
    if (expectedCount.test(matches)) {
      return;
    }
    StringBuilder message = new StringBuilder("Expected ").append(expectation).append(" on '").append(pattern)
        .append('\'');
    if (!conditions.isEmpty()) {
      message.append(" with ")
          .append(conditions.stream().map(Condition::description).collect(Collectors.joining(" and ")));
    }
    message.append(", but ").append(matches == 0 ? "none" : String.valueOf(matches)).append(" did.");
    List<String> nearMisses = new ArrayList<>();
    for (int i = 0; i < events.size(); i++) {
      Event<Object> event = events.get(i);
      if (pattern.matches(event.topic())) {
        String mismatch = firstMismatch(event);
        if (mismatch != null) {
          nearMisses.add("  #" + (i + 1) + ": " + mismatch);
        }
      }
    }
    if (!nearMisses.isEmpty()) {
      message.append("\nOn '").append(pattern).append("' but not matching:\n").append(String.join("\n", nearMisses));
    }
    throw new AssertionError(message.append('\n').append(PublishedEventsAssert.describe(events)).toString());
  }
}
