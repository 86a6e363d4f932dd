package io.fluxbus.r2dbc;

import io.fluxbus.Event;
import io.fluxbus.TopicPattern;
import io.fluxbus.codec.EventCodec;
import io.fluxbus.internal.DeadLetters;
import io.fluxbus.internal.log.LogItem;
import java.util.Map;

/**
 * One row of the log as a reader got it.
 *
 * @param cursor where the row is
 * @param partition its partition
 * @param fence the fencing token of the group partition it was read for, or -1 outside groups
 * @param origin the bus that appended it, or null (outbox, delayed events, dead letters)
 * @param topic its topic
 * @param beforeStart whether it was committed before the reader started, so the reader passes it by
 * @param cloudEvent the stored CloudEvents JSON
 */
record LogRow(LogCursor cursor, int partition, long fence, String origin, String topic, boolean beforeStart,
              String cloudEvent) {

  /** Classifies the row for a reader of {@code pattern}: passed by, an event to hand on, or unreadable. */
  LogItem<LogRow> classify(TopicPattern pattern, EventCodec codec) {
    if (beforeStart || !pattern.matches(topic)) {
      return LogItem.passedBy(this);
    }
    return LogItem.decode(this, () -> codec.decode(cloudEvent));
  }

  /** Where the row is, for messages. */
  String where() {
    return "log position " + cursor.position() + " (partition " + partition + ")";
  }

  /** The dead letter that keeps this row, unreadable for {@code problem}, naming who could not read it. */
  Event<Object> undecodableLetter(String problem, Map<String, String> failedBy) {
    return DeadLetters.undecodable(topic, where(), cloudEvent, problem, failedBy);
  }
}
