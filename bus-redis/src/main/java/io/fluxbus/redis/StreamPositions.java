package io.fluxbus.redis;

import io.fluxbus.StartPosition;
import java.time.Instant;

/**
 * Start positions as stream entry ids. Entry ids are {@code <milliseconds>-<sequence>} of the server's clock when
 * the entry was appended, so "from a time" is the id just before that millisecond; a reader or group reads every
 * entry after the id it is given.
 */
final class StreamPositions {

  /** The start of every stream. */
  static final String START = "0-0";
  /** The last id of a millisecond: the largest unsigned 64-bit sequence number. */
  private static final String LAST_SEQUENCE = "18446744073709551615";

  private StreamPositions() {}

  /** Where a consumer group starts: {@code $} (new entries), {@code 0-0} (everything retained) or before a time. */
  static String of(StartPosition position) {
    if (position instanceof StartPosition.Earliest) {
      return START;
    }
    if (position instanceof StartPosition.At at) {
      return before(at.time());
    }
    return "$";
  }

  /** The id just before every entry appended at or after {@code time}. */
  static String before(Instant time) {
    long millis = time.toEpochMilli();
    return millis <= 0 ? START : (millis - 1) + "-" + LAST_SEQUENCE;
  }
}
