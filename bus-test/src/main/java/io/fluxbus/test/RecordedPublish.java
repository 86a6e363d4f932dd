package io.fluxbus.test;

import io.fluxbus.Event;
import io.fluxbus.PublishResult;
import java.util.Objects;

/**
 * One publish that ran through a {@link RecordingEventBus}: the event as it was handed to {@code publish} and what
 * the bus reported.
 *
 * @param sequence the order in which the publish started (0, 1, 2…), across the recorder's life
 * @param event the event as published; {@code source} and {@code time} are null when the bus filled them in
 * @param result what the bus reported for it
 */
public record RecordedPublish(long sequence, Event<Object> event, PublishResult result) {

  /** Requires an event and a result. */
  public RecordedPublish {
    Objects.requireNonNull(event, "event must not be null");
    Objects.requireNonNull(result, "result must not be null");
  }
}
