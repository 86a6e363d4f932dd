package io.fluxbus.examples.gateway;

import io.fluxbus.Event;
import io.fluxbus.StartPosition;
import io.fluxbus.SubscribeOptions;
import java.time.Instant;
import java.util.UUID;

/**
 * Where a reconnecting event stream resumes: the {@code Last-Event-ID} a client sends back (browsers do so by
 * themselves) is a Fluxbus event id, a UUIDv7 whose first 48 bits are its publish time in milliseconds. The
 * subscription starts from that time on engines that replay ({@link StartPosition#at}); the memory engine does not
 * replay and starts from now. Events older than that time, and the last event itself, are skipped; other events
 * of the same millisecond may come again (at-least-once).
 *
 * @param lastEventId the id the client saw last
 * @param time the time encoded in it
 */
record ResumePoint(String lastEventId, Instant time) {

  /**
   * The resume point for a {@code Last-Event-ID}, or null when there is none.
   *
   * @throws RequestRejected when the id is not a UUIDv7
   */
  static ResumePoint parse(String lastEventId) {
    if (lastEventId == null || lastEventId.isEmpty()) {
      return null;
    }
    Instant time = timeOf(lastEventId);
    if (time == null) {
      throw Inputs.rejected("invalid_last_event_id", "Last-Event-ID '" + lastEventId + "' is not a Fluxbus event "
          + "id; send back the id: of an event this gateway streamed (a version 7 UUID)", lastEventId);
    }
    return new ResumePoint(lastEventId, time);
  }

  SubscribeOptions applyTo(SubscribeOptions options) {
    return options.startFrom(StartPosition.at(time));
  }

  /** True for events the client has not seen: not the last one, and not older than it. */
  boolean isNew(Event<?> event) {
    if (event.id().equals(lastEventId)) {
      return false;
    }
    Instant eventTime = timeOf(event.id());
    return eventTime == null || !eventTime.isBefore(time);
  }

  private static Instant timeOf(String id) {
    UUID uuid;
    try {
      uuid = UUID.fromString(id);
    } catch (IllegalArgumentException e) {
      return null;
    }
    if (uuid.version() != 7 || !uuid.toString().equalsIgnoreCase(id)) {
      return null;
    }
    return Instant.ofEpochMilli(uuid.getMostSignificantBits() >>> 16);
  }
}
