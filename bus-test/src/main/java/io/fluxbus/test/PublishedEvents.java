package io.fluxbus.test;

import io.fluxbus.Event;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * Entry point of the published-event assertions, the Java counterpart of Hivent's {@code emit} matchers:
 *
 * <pre>{@code
 * PublishedEvents.assertThat(recorder)
 *     .published("order.placed").withVersion(2).withPayloadMatching(OrderPlaced.class, p -> p.total() > 0).once()
 *     .publishedNothingOn("audit.#");
 * }</pre>
 *
 * A failed assertion throws {@link AssertionError} whose message says what was expected and lists every event that
 * was published, with the near misses explained.
 */
public final class PublishedEvents {

  private PublishedEvents() {}

  /**
   * Assertions on what {@code recorder} recorded; each assertion reads the records at the moment it runs, so one
   * {@code PublishedEventsAssert} can be kept and used after more publishes.
   *
   * @throws NullPointerException if recorder is null
   */
  public static PublishedEventsAssert assertThat(RecordingEventBus recorder) {
    Objects.requireNonNull(recorder, "recorder must not be null");
    return new PublishedEventsAssert(recorder::events);
  }

  /**
   * Assertions on a fixed list of events, e.g. ones collected from a subscription; a snapshot is taken now.
   *
   * @throws NullPointerException if events is null or holds null
   */
  public static PublishedEventsAssert assertThat(Collection<? extends Event<?>> events) {
    @SuppressWarnings("unchecked")
    List<Event<Object>> snapshot = List.copyOf((Collection<Event<Object>>) (Collection<?>) events);
    return new PublishedEventsAssert(() -> snapshot);
  }
}
