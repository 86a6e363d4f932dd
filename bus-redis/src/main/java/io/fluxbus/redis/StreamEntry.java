package io.fluxbus.redis;

import io.fluxbus.codec.EventCodec;
import io.fluxbus.internal.log.LogItem;
import io.lettuce.core.StreamMessage;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One entry of a log stream as the engine writes and reads it. Fields: {@code e} the event as CloudEvents JSON
 * (what any CloudEvents reader can parse), {@code t} its topic (so readers skip other topics without decoding), and
 * {@code o} the id of the bus that appended it, empty for entries every bus delivers, such as dead letters and
 * delayed events (the publishing bus delivered its own events locally at publish). Immutable.
 *
 * @param stream the stream key
 * @param id the entry id
 * @param event the CloudEvents JSON, or null when the entry has none (or was trimmed while pending)
 * @param topic the topic field, or null
 * @param origin the appending bus's id, empty or null when every bus delivers it
 * @param trimmed true when the entry came back without a body: its data was trimmed while it was pending
 */
record StreamEntry(String stream, String id, byte[] event, String topic, String origin, boolean trimmed) {

  static final String EVENT = "e";
  static final String TOPIC = "t";
  static final String ORIGIN = "o";

  /** The fields of a new entry. */
  static Map<String, byte[]> fields(String topic, byte[] cloudEvent, String origin) {
    Map<String, byte[]> fields = new LinkedHashMap<>(4);
    fields.put(EVENT, cloudEvent);
    fields.put(TOPIC, topic.getBytes(StandardCharsets.UTF_8));
    fields.put(ORIGIN, origin.getBytes(StandardCharsets.UTF_8));
    return fields;
  }

  /** Reads an entry as Lettuce returned it; a pending entry whose data was trimmed has no body. */
  static StreamEntry of(StreamMessage<String, byte[]> message) {
    Map<String, byte[]> body = message.getBody();
    if (body == null || body.isEmpty()) {
      return new StreamEntry(message.getStream(), message.getId(), null, null, null, true);
    }
    return new StreamEntry(message.getStream(), message.getId(), body.get(EVENT), text(body.get(TOPIC)),
        text(body.get(ORIGIN)), false);
  }

  private static String text(byte[] value) {
    return value == null ? null : new String(value, StandardCharsets.UTF_8);
  }

  /** Classifies the entry for a group: the event, or why it cannot be read (trimmed, no event field, undecodable). */
  LogItem<StreamEntry> classify(EventCodec codec) {
    if (trimmed) {
      return LogItem.unreadable(this, "trimmed");
    }
    if (event == null) {
      return LogItem.unreadable(this, "the entry has no '" + EVENT + "' field");
    }
    return LogItem.decode(this, () -> codec.decode(event));
  }

  /** The raw event field as text, for dead letters of entries that cannot be decoded. */
  String eventText() {
    return event == null ? null : new String(event, StandardCharsets.UTF_8);
  }

  /** The entry's timestamp: the milliseconds part of its id. */
  long millis() {
    int dash = id.indexOf('-');
    return Long.parseLong(dash < 0 ? id : id.substring(0, dash));
  }
}
