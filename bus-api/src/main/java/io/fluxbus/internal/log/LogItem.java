package io.fluxbus.internal.log;

import io.fluxbus.CodecException;
import io.fluxbus.Event;
import java.util.function.Supplier;

/**
 * One entry read from a log for a group or a replay, classified: passed by (another topic, or before the reader's
 * start), an event to hand on, or an entry that is not a readable event (with why). Immutable.
 *
 * @param entry the engine's entry (a row, a stream entry, a record)
 * @param event the decoded event to hand on, or null
 * @param problem why the entry cannot be read, or null
 * @param <E> the engine's entry type
 */
public record LogItem<E>(E entry, Event<Object> event, String problem) {

  /** An entry the reader moves past without handing anything on. */
  public static <E> LogItem<E> passedBy(E entry) {
    return new LogItem<>(entry, null, null);
  }

  /** An entry that is not a readable event, and why. */
  public static <E> LogItem<E> unreadable(E entry, String problem) {
    return new LogItem<>(entry, null, problem);
  }

  /** Decodes an entry: the event, or the codec's message as the problem. */
  public static <E> LogItem<E> decode(E entry, Supplier<Event<Object>> decode) {
    try {
      return new LogItem<>(entry, decode.get(), null);
    } catch (CodecException undecodable) {
      return new LogItem<>(entry, null, undecodable.getMessage());
    }
  }

  /** Whether the reader moves past the entry without handing anything on. */
  public boolean isPassedBy() {
    return event == null && problem == null;
  }

  /**
   * The entry's lane for {@link Lanes}: events with one key share a lane, keyless events one per topic; entries that
   * are not events go alone (null).
   */
  public String lane() {
    if (event == null) {
      return null;
    }
    return event.key() != null ? "key:" + event.key() : "topic:" + event.topic();
  }
}
