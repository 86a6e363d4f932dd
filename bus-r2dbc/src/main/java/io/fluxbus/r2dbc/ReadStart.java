package io.fluxbus.r2dbc;

import java.time.Instant;

/**
 * Where a reader of the whole log starts: after {@code cursor}, passing by the rows that {@code snapshot} saw
 * committed and that were appended before {@code time} (see {@link GroupStatements} for why this is gap-safe).
 *
 * @param cursor the last row not to read
 * @param snapshot a {@code pg_snapshot} as text, or null to pass nothing by
 * @param time rows appended from then on are never passed by; null for none (with a snapshot: pass by everything it
 *     saw)
 */
record ReadStart(LogCursor cursor, String snapshot, Instant time) {

  /** The whole log. */
  static final ReadStart EARLIEST = new ReadStart(LogCursor.START, null, null);
}
