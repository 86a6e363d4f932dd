package io.fluxbus.r2dbc;

import io.fluxbus.StartPosition;

/**
 * The SQL of durable consumer groups: a group's partition rows created (or moved, for a reset) at a start
 * position, the lease function, the read of a member's partitions from their cursors, and the acknowledgement that
 * advances cursors and appends dead letters in one statement. Values are bound parameters. Immutable.
 *
 * <p><b>Start positions</b> are gap-safe: a partition's cursor starts at its head below the visibility horizon
 * (or earlier), together with the snapshot taken at that moment ({@code start_snapshot}) and a start time; a row
 * past the cursor that the snapshot already saw committed, and that was appended before the start time, belongs to
 * the past and is passed by. So {@code latest} hands on exactly the events committed after the group was created,
 * including those of transactions that were open at that moment, and {@code at(t)} those appended from {@code t}.
 */
final class GroupStatements {

  final String createAtEarliest;
  final String createAtLatest;
  final String createAtTime;
  final String resetToEarliest;
  final String resetToLatest;
  final String resetToTime;
  final String leases;
  final String read;
  final String acknowledge;

  GroupStatements(LogStatements log) {
    LogSchema schema = log.schema;
    String partitions = "generate_series(0, " + (log.partitions - 1) + ") p(n)";
    String head = "LEFT JOIN LATERAL (SELECT e.tx_id, e.position FROM " + schema.log + " e WHERE e.partition_no = p.n "
        + "AND " + LogStatements.BELOW_HORIZON + " ORDER BY e.tx_id DESC, e.position DESC LIMIT 1) h ON true";
    String insert = "INSERT INTO " + schema.groups + " AS gp (group_name, pattern, partition_no, cursor_tx, cursor_pos, "
        + "start_snapshot, start_time) ";
    String earliest = insert + "SELECT $1, $2, p.n, '0'::xid8, 0, NULL, NULL FROM " + partitions;
    String latest = insert + "SELECT $1, $2, p.n, coalesce(h.tx_id, '0'::xid8), coalesce(h.position, 0), "
        + "pg_current_snapshot(), NULL FROM " + partitions + " " + head;
    String beforeFirst = "f.tx_id IS NOT NULL AND (f.tx_id, f.position - 1) < (coalesce(h.tx_id, '0'::xid8), "
        + "coalesce(h.position, 0))";
    String atTime = insert + "SELECT $1, $2, p.n, "
        + "CASE WHEN " + beforeFirst + " THEN f.tx_id ELSE coalesce(h.tx_id, '0'::xid8) END, "
        + "CASE WHEN " + beforeFirst + " THEN f.position - 1 ELSE coalesce(h.position, 0) END, "
        + "pg_current_snapshot(), $3::timestamptz FROM " + partitions + " " + head
        + " LEFT JOIN LATERAL (SELECT e.tx_id, e.position FROM " + schema.log + " e WHERE e.partition_no = p.n "
        + "AND e.appended_at >= $3::timestamptz ORDER BY e.tx_id, e.position LIMIT 1) f ON true";
    String keep = " ON CONFLICT (group_name, pattern, partition_no) DO NOTHING";
    // a reset evicts the owners (fence + 1): acknowledgements of what they read before it match no row
    String move = " ON CONFLICT (group_name, pattern, partition_no) DO UPDATE SET cursor_tx = excluded.cursor_tx, "
        + "cursor_pos = excluded.cursor_pos, start_snapshot = excluded.start_snapshot, "
        + "start_time = excluded.start_time, owner = NULL, lease_until = NULL, fence = gp.fence + 1";
    this.createAtEarliest = earliest + keep;
    this.createAtLatest = latest + keep;
    this.createAtTime = atTime + keep;
    this.resetToEarliest = earliest + move;
    this.resetToLatest = latest + move;
    this.resetToTime = atTime + move;
    this.leases = "SELECT held_partition, held_fence FROM " + schema.leasesFunction + "($1, $2, $3, $4, $5)";
    this.read = "SELECT g.partition_no, g.fence, l.tx, l.position, l.topic, l.before_start, l.cloud_event "
        + "FROM " + schema.groups + " g CROSS JOIN LATERAL (SELECT e.tx_id, e.tx_id::text AS tx, e.position, e.topic, "
        + "coalesce(pg_visible_in_snapshot(e.tx_id, g.start_snapshot) "
        + "AND e.appended_at < coalesce(g.start_time, 'infinity'), false) AS before_start, "
        + "e.cloud_event::text AS cloud_event FROM " + schema.log + " e "
        + "WHERE e.partition_no = g.partition_no AND (e.tx_id, e.position) > (g.cursor_tx, g.cursor_pos) AND "
        + LogStatements.BELOW_HORIZON + " ORDER BY e.tx_id, e.position LIMIT $4) l "
        + "WHERE g.group_name = $1 AND g.pattern = $2 AND g.owner = $3 AND g.lease_until > clock_timestamp() "
        + "ORDER BY g.partition_no, l.tx_id, l.position";
    // one statement, so one transaction: a partition's dead letters are appended if and only if its cursor moved
    // past them, and a fenced-out member moves no cursor and appends no letter
    this.acknowledge = "WITH acked AS (UPDATE " + schema.groups + " g SET cursor_tx = u.tx::xid8, cursor_pos = u.pos "
        + "FROM unnest($4::int[], $5::bigint[], $6::text[], $7::bigint[]) AS u(p, f, tx, pos) "
        + "WHERE g.group_name = $1 AND g.pattern = $2 AND g.owner = $3 AND g.partition_no = u.p AND g.fence = u.f "
        + "RETURNING g.partition_no), "
        + "letters AS (INSERT INTO " + schema.log + " (event_id, topic, event_key, origin, partition_no, cloud_event) "
        + "SELECT d.id, d.topic, d.event_key, NULL, " + log.partitionOf("d.event_key", "d.topic") + ", d.json::jsonb "
        + "FROM unnest($8::int[], $9::text[], $10::text[], $11::text[], $12::text[]) WITH ORDINALITY "
        + "AS d(src, id, topic, event_key, json, n) WHERE d.src IN (SELECT a.partition_no FROM acked a) "
        + "ORDER BY d.n RETURNING 1) "
        + "SELECT a.partition_no FROM acked a";
  }

  /** Creates a group's partition rows at {@code position} where they do not exist yet ({@code $3}: the time). */
  String create(StartPosition position) {
    return position instanceof StartPosition.Earliest ? createAtEarliest
        : position instanceof StartPosition.At ? createAtTime : createAtLatest;
  }

  /** Moves a group's partition rows to {@code position}, creating missing ones, and evicts their owners. */
  String reset(StartPosition position) {
    return position instanceof StartPosition.Earliest ? resetToEarliest
        : position instanceof StartPosition.At ? resetToTime : resetToLatest;
  }
}
