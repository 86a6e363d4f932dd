package io.fluxbus.r2dbc;

/**
 * The SQL the engine runs on the log of one schema, for one partition count: appends, reads below the visibility
 * horizon, start positions, retention and delayed events. Every value is a bound parameter; the only text spliced
 * in is the validated schema name and the partition count (a validated int). Immutable.
 *
 * <p>An event's partition is {@code hashtextextended(coalesce(key, topic), 0) mod partitions}, computed by the
 * database in the inserting statement, so that outbox inserts, delayed events and dead letters agree with plain
 * appends: events with one key (keyless: one topic) share a partition and keep their order in it.
 */
final class LogStatements {

  /** A row is readable when its transaction id is below the oldest transaction still running anywhere. */
  static final String BELOW_HORIZON = "e.tx_id < pg_snapshot_xmin(pg_current_snapshot())";

  final LogSchema schema;
  final int partitions;
  final String append;
  final String appendBatch;
  final String readAfter;
  final String startAtHead;
  final String startAtTime;
  final String deleteExpired;
  final String schedule;
  final String promoteDue;
  final String recordPartitions;
  final String recordedPartitions;

  LogStatements(LogSchema schema, int partitions) {
    this.schema = schema;
    this.partitions = partitions;
    String log = schema.log;
    this.append = "INSERT INTO " + log + " (event_id, topic, event_key, origin, partition_no, cloud_event) "
        + "VALUES ($1, $2, $3, $4, " + partitionOf("$3", "$2") + ", $5::jsonb)";
    // positions follow the arrays' order, so events of one publisher keep their order within a batch
    this.appendBatch = "INSERT INTO " + log + " (event_id, topic, event_key, origin, partition_no, cloud_event) "
        + "SELECT u.event_id, u.topic, u.event_key, u.origin, " + partitionOf("u.event_key", "u.topic")
        + ", u.cloud_event::jsonb FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) "
        + "WITH ORDINALITY AS u(event_id, topic, event_key, origin, cloud_event, n) ORDER BY u.n";
    // rows visible in the reader's start snapshot and appended before its start time were committed before the
    // reader started: it passes them by (before_start) without handing them on; rows of origin $6 come without
    // their event, which that reader does not need (the tail of the bus that appended them)
    this.readAfter = "SELECT e.tx_id::text AS tx, e.position, e.partition_no, e.origin, e.topic, "
        + "coalesce(pg_visible_in_snapshot(e.tx_id, $4::text::pg_snapshot) "
        + "AND e.appended_at < coalesce($5::timestamptz, 'infinity'), false) AS before_start, "
        + "CASE WHEN e.origin = $6 THEN NULL ELSE e.cloud_event::text END AS cloud_event FROM " + log + " e "
        + "WHERE (e.tx_id, e.position) > ($1::text::xid8, $2) AND " + BELOW_HORIZON
        + " ORDER BY e.tx_id, e.position LIMIT $3";
    // the head below the horizon, and the snapshot that tells rows committed by now from those still to come
    this.startAtHead = "SELECT h.tx_id::text AS tx, h.position, pg_current_snapshot()::text AS snapshot "
        + "FROM (SELECT 1) one LEFT JOIN LATERAL (SELECT e.tx_id, e.position FROM " + log + " e WHERE "
        + BELOW_HORIZON + " ORDER BY e.tx_id DESC, e.position DESC LIMIT 1) h ON true";
    // the earlier of that head and just before the first committed row appended at or after $1, with the snapshot,
    // all in one statement: two statements would see two snapshots, and a row committed between them could fall
    // before the cursor unread
    String head = "LEFT JOIN LATERAL (SELECT e.tx_id, e.position FROM " + log + " e WHERE " + BELOW_HORIZON
        + " ORDER BY e.tx_id DESC, e.position DESC LIMIT 1) h ON true";
    String beforeFirst = "f.tx_id IS NOT NULL AND (f.tx_id, f.position - 1) < (coalesce(h.tx_id, '0'::xid8), "
        + "coalesce(h.position, 0))";
    this.startAtTime = "SELECT (CASE WHEN " + beforeFirst + " THEN f.tx_id ELSE coalesce(h.tx_id, '0'::xid8) END)::text "
        + "AS tx, CASE WHEN " + beforeFirst + " THEN f.position - 1 ELSE coalesce(h.position, 0) END AS position, "
        + "pg_current_snapshot()::text AS snapshot FROM (SELECT 1) one " + head
        + " LEFT JOIN LATERAL (SELECT e.tx_id, e.position FROM " + log + " e WHERE e.appended_at >= $1 "
        + "ORDER BY e.tx_id, e.position LIMIT 1) f ON true";
    // below the horizon, and only what every group has passed in its partition: retention never takes an event a
    // group has yet to handle
    this.deleteExpired = "DELETE FROM " + log + " WHERE position IN (SELECT e.position FROM " + log + " e "
        + "WHERE e.appended_at < clock_timestamp() - $1::float8 * interval '1 millisecond' AND " + BELOW_HORIZON
        + " AND NOT EXISTS (SELECT 1 FROM " + schema.groups + " g WHERE g.partition_no = e.partition_no "
        + "AND (g.cursor_tx, g.cursor_pos) < (e.tx_id, e.position)) "
        + "ORDER BY e.tx_id, e.position LIMIT $2)";
    this.schedule = "INSERT INTO " + schema.scheduled + " (due_at, event_id, topic, event_key, cloud_event) "
        + "VALUES ($1, $2, $3, $4, $5::jsonb)";
    // SKIP LOCKED: buses promoting at once take disjoint rows; a row is appended exactly once, as it is deleted in
    // the same statement. = ANY(ARRAY(…)) runs the locking LIMIT once; as IN (…) the planner may run it per row
    this.promoteDue = "WITH due AS (DELETE FROM " + schema.scheduled + " WHERE id = ANY(ARRAY(SELECT d.id FROM "
        + schema.scheduled + " d WHERE d.due_at <= clock_timestamp() ORDER BY d.due_at, d.id LIMIT $1 "
        + "FOR UPDATE SKIP LOCKED)) RETURNING due_at, id, event_id, topic, event_key, cloud_event) "
        + "INSERT INTO " + log + " (event_id, topic, event_key, origin, partition_no, cloud_event) "
        + "SELECT event_id, topic, event_key, NULL, " + partitionOf("event_key", "topic") + ", cloud_event "
        + "FROM due ORDER BY due_at, id";
    this.recordPartitions = "INSERT INTO " + schema.settings + " (name, value) VALUES ('partitions', $1) "
        + "ON CONFLICT DO NOTHING";
    this.recordedPartitions = "SELECT value FROM " + schema.settings + " WHERE name = 'partitions'";
  }

  /** The SQL expression of the partition of an event with key {@code key} (may be null) on {@code topic}. */
  String partitionOf(String key, String topic) {
    if (partitions == 1) {
      return "0";
    }
    return "((hashtextextended(coalesce(" + key + ", " + topic + "), 0) % " + partitions + ") + " + partitions
        + ") % " + partitions;
  }
}
