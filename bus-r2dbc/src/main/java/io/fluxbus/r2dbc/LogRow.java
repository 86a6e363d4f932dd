package io.fluxbus.r2dbc;

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
              String cloudEvent) {}
