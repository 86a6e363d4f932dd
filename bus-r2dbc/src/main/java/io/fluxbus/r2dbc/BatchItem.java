package io.fluxbus.r2dbc;

import io.fluxbus.CodecException;
import io.fluxbus.Event;
import io.fluxbus.TopicPattern;
import io.fluxbus.codec.EventCodec;
import io.fluxbus.internal.DeadLetters;
import java.util.Map;

/**
 * One row of a batch read for a group or a replay, classified: passed by (another topic, or committed before the
 * reader started), an event to hand on, or a row that is not a readable event.
 *
 * @param row the row
 * @param event the decoded event to hand on, or null
 * @param problem why the row cannot be read, or null
 */
record BatchItem(LogRow row, Event<Object> event, String problem) {

  /** Classifies a row for a reader of {@code pattern}. */
  static BatchItem of(LogRow row, TopicPattern pattern, EventCodec codec) {
    if (row.beforeStart() || !pattern.matches(row.topic())) {
      return new BatchItem(row, null, null);
    }
    try {
      return new BatchItem(row, codec.decode(row.cloudEvent()), null);
    } catch (CodecException undecodable) {
      return new BatchItem(row, null, undecodable.getMessage());
    }
  }

  /** Whether the reader moves past the row without handing anything on. */
  boolean passedBy() {
    return event == null && problem == null;
  }

  /** Events with one key (keyless: one topic) share a lane; other rows go alone. */
  String lane() {
    if (event == null) {
      return null;
    }
    return event.key() != null ? "key:" + event.key() : "topic:" + event.topic();
  }

  /** Where the row is, for messages. */
  String where() {
    return "log position " + row.cursor().position() + " (partition " + row.partition() + ")";
  }

  /** The dead letter that keeps an unreadable row, naming who could not read it. */
  Event<Object> undecodableLetter(Map<String, String> failedBy) {
    return DeadLetters.undecodable(row.topic(), where(), row.cloudEvent(), problem, failedBy);
  }
}
