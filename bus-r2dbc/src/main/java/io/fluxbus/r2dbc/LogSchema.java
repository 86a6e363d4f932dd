package io.fluxbus.r2dbc;

import io.fluxbus.ConfigException;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One Fluxbus schema: its validated name, the quoted names of its tables, the NOTIFY channel, and the versioned
 * migrations that create them. Only the validated schema name (and names derived from it) is ever spliced into SQL
 * text; values are always bound parameters. Immutable.
 *
 * <p>Tables: {@code event_log} (the append-only log, read below the xid8 visibility horizon), {@code log_settings}
 * (the partition count the schema was created with), {@code group_partition} (per group, pattern and partition: a
 * cursor, a lease with a fencing token, and where the group started), {@code group_member} (live members, for the
 * fair share of partitions), {@code scheduled} (delayed events), and the function {@code group_leases} (created by
 * migration 3, replaced by migration 4).
 */
final class LogSchema {

  /** Lowercase letters, digits and underscores, starting with a letter or underscore; short enough for a channel. */
  private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,47}");

  /** The first half of the two-key advisory lock that serialises migrations ("FLUX" in ASCII). */
  static final int MIGRATION_LOCK_CLASS = 0x464C5558;

  final String schema;
  final String channel;
  /** Quoted, schema-qualified table names. */
  final String log;
  final String settings;
  final String groups;
  final String members;
  final String scheduled;
  final String leasesFunction;
  final String createSchema;
  final String createVersionTable;
  final String lockMigrations;
  final String currentVersion;
  final String recordVersion;
  /** Wakes every bus LISTENing on the schema's channel ({@code $1}); sent at commit. */
  final String notify = "SELECT pg_notify($1, '')";
  /**
   * Wakes the buses LISTENing on the channel ({@code $1}) but the one named in the payload ({@code $2}), in a
   * transaction of its own that commits without waiting for the WAL flush: a NOTIFY gives its transaction an xid,
   * so a durable commit would cost a flush per wake-up, and a wake-up lost in a crash only delays readers until
   * their next poll.
   */
  final String notifyOthers = "SELECT set_config('synchronous_commit', 'off', true), pg_notify($1, $2)";

  /**
   * The migrations in order; migration {@code i} (1-based) is {@code migrations.get(i - 1)}. Append only: a
   * released migration is never edited.
   */
  private final List<List<String>> migrations;

  LogSchema(String schema) {
    this.schema = requireIdentifier(schema);
    String s = '"' + schema + '"';
    this.channel = schema + "_wakeup";
    this.log = s + ".event_log";
    this.settings = s + ".log_settings";
    this.groups = s + ".group_partition";
    this.members = s + ".group_member";
    this.scheduled = s + ".scheduled";
    this.leasesFunction = s + ".group_leases";
    this.createSchema = "CREATE SCHEMA IF NOT EXISTS " + s;
    this.createVersionTable = "CREATE TABLE IF NOT EXISTS " + s + ".schema_version (version int PRIMARY KEY, "
        + "description text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())";
    this.lockMigrations = "SELECT pg_advisory_xact_lock(" + MIGRATION_LOCK_CLASS + ", hashtext($1))";
    this.currentVersion = "SELECT coalesce(max(version), 0) AS version FROM " + s + ".schema_version";
    this.recordVersion = "INSERT INTO " + s + ".schema_version (version, description) VALUES ($1, $2)";
    this.migrations = List.of(
        List.of(
            // tx_id: the appending transaction's id; rows are read only below the visibility horizon (xmin of
            // the current snapshot), so a row committed later can never sort before the cursor.
            "CREATE TABLE " + log + " ("
                + "position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
                + "tx_id xid8 NOT NULL DEFAULT pg_current_xact_id(), "
                + "appended_at timestamptz NOT NULL DEFAULT now(), "
                + "event_id text NOT NULL, "
                + "topic text NOT NULL, "
                + "event_key text, "
                + "origin text, "
                + "cloud_event jsonb NOT NULL)",
            "CREATE INDEX event_log_tail ON " + log + " (tx_id, position)"),
        List.of(
            "CREATE TABLE " + s + ".group_cursor ("
                + "group_name text NOT NULL, "
                + "pattern text NOT NULL, "
                + "cursor_tx xid8 NOT NULL, "
                + "cursor_pos bigint NOT NULL, "
                + "owner text, "
                + "lease_until timestamptz, "
                + "fence bigint NOT NULL DEFAULT 0, "
                + "PRIMARY KEY (group_name, pattern)) WITH (fillfactor = 70)",
            "CREATE INDEX event_log_time ON " + log + " (appended_at)"),
        List.of(
            // a constant default: no table rewrite; rows appended before partitions existed are all partition 0
            "ALTER TABLE " + log + " ADD COLUMN partition_no int NOT NULL DEFAULT 0",
            "CREATE INDEX event_log_partition ON " + log + " (partition_no, tx_id, position)",
            // the first cut's single-lease groups were never reachable through subscribe(); nothing to carry over
            "DROP TABLE " + s + ".group_cursor",
            "CREATE TABLE " + settings + " (name text PRIMARY KEY, value text NOT NULL)",
            // small and hot: fillfactor leaves room for HOT updates of cursors and leases
            "CREATE TABLE " + groups + " ("
                + "group_name text NOT NULL, "
                + "pattern text NOT NULL, "
                + "partition_no int NOT NULL, "
                + "cursor_tx xid8 NOT NULL, "
                + "cursor_pos bigint NOT NULL, "
                + "start_snapshot pg_snapshot, "
                + "start_time timestamptz, "
                + "owner text, "
                + "lease_until timestamptz, "
                + "fence bigint NOT NULL DEFAULT 0, "
                + "PRIMARY KEY (group_name, pattern, partition_no)) WITH (fillfactor = 70)",
            "CREATE TABLE " + members + " ("
                + "group_name text NOT NULL, "
                + "pattern text NOT NULL, "
                + "member_id text NOT NULL, "
                + "alive_until timestamptz NOT NULL, "
                + "PRIMARY KEY (group_name, pattern, member_id))",
            "CREATE TABLE " + scheduled + " ("
                + "id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
                + "due_at timestamptz NOT NULL, "
                + "event_id text NOT NULL, "
                + "topic text NOT NULL, "
                + "event_key text, "
                + "cloud_event jsonb NOT NULL)",
            "CREATE INDEX scheduled_due ON " + scheduled + " (due_at, id)",
            leasesFunctionV3()),
        List.of(leasesFunction()));
  }

  /**
   * {@code group_leases(group, pattern, member, lease_ms, mode)}: a member's heartbeat and its share of a group's
   * partitions, in one round trip. Mode 0, the heartbeat, renews the member and the leases it holds, and never
   * registers it: a heartbeat that was in flight when the member left finds no row and changes nothing. Mode 1
   * rebalances (between batches, with nothing in hand): it registers or renews the member, forgets members whose
   * heartbeat expired, gives up partitions beyond the fair share {@code ceil(partitions / live members)}, and takes
   * free or expired ones up to it ({@code SKIP LOCKED}, so members rebalancing at once never take the same one); mode
   * 2 leaves, releasing everything. The partitions to give up or take are chosen once per statement
   * ({@code = ANY(ARRAY(…))}), never per row. Every change of owner bumps the partition's fence, so a former owner's
   * acknowledgements match no row. Releasing notifies the schema's channel, so waiting members try at once. Returns
   * the partitions the member holds, with their fences. Times are the database's clock ({@code clock_timestamp()}),
   * so client clocks may disagree.
   */
  private String leasesFunction() {
    String mine = "g.group_name = p_group AND g.pattern = p_pattern AND g.owner = p_member";
    String member = "m.group_name = p_group AND m.pattern = p_pattern AND m.member_id = p_member";
    return "CREATE OR REPLACE FUNCTION " + leasesFunction + "(p_group text, p_pattern text, p_member text, "
        + "p_lease_ms float8, p_mode int) RETURNS TABLE (held_partition int, held_fence bigint) LANGUAGE plpgsql "
        + "AS $fn$\n"
        + "DECLARE\n"
        + "  v_until timestamptz := clock_timestamp() + p_lease_ms * interval '1 millisecond';\n"
        + "  v_share int;\n"
        + "  v_held int;\n"
        + "  v_released int;\n"
        + "BEGIN\n"
        + "  IF p_mode = 2 THEN\n"
        + "    DELETE FROM " + members + " m WHERE " + member + ";\n"
        + "    UPDATE " + groups + " g SET owner = NULL, lease_until = NULL, fence = g.fence + 1 WHERE " + mine + ";\n"
        + "    GET DIAGNOSTICS v_released = ROW_COUNT;\n"
        + "    IF v_released > 0 THEN PERFORM pg_notify('" + channel + "', ''); END IF;\n"
        + "    RETURN;\n"
        + "  END IF;\n"
        + "  IF p_mode = 0 THEN\n"
        + "    UPDATE " + members + " m SET alive_until = v_until WHERE " + member + ";\n"
        + "  ELSE\n"
        + "    INSERT INTO " + members + " AS m (group_name, pattern, member_id, alive_until) "
        + "VALUES (p_group, p_pattern, p_member, v_until) "
        + "ON CONFLICT (group_name, pattern, member_id) DO UPDATE SET alive_until = excluded.alive_until;\n"
        + "    DELETE FROM " + members + " m WHERE m.group_name = p_group AND m.pattern = p_pattern "
        + "AND m.alive_until < clock_timestamp();\n"
        + "    SELECT ceil((SELECT count(*) FROM " + groups + " g WHERE g.group_name = p_group "
        + "AND g.pattern = p_pattern)::numeric / greatest(count(*), 1))::int INTO v_share FROM " + members
        + " m WHERE m.group_name = p_group AND m.pattern = p_pattern;\n"
        + "    UPDATE " + groups + " g SET owner = NULL, lease_until = NULL, fence = g.fence + 1 WHERE " + mine
        + " AND g.partition_no = ANY(ARRAY(SELECT h.partition_no FROM " + groups + " h WHERE h.group_name = p_group "
        + "AND h.pattern = p_pattern AND h.owner = p_member ORDER BY h.partition_no OFFSET v_share));\n"
        + "    GET DIAGNOSTICS v_released = ROW_COUNT;\n"
        + "    IF v_released > 0 THEN PERFORM pg_notify('" + channel + "', ''); END IF;\n"
        + "    SELECT count(*) INTO v_held FROM " + groups + " g WHERE " + mine
        + " AND g.lease_until >= clock_timestamp();\n"
        + "    UPDATE " + groups + " g SET owner = p_member, lease_until = v_until, fence = g.fence + 1 "
        + "WHERE g.group_name = p_group AND g.pattern = p_pattern AND g.partition_no = ANY(ARRAY("
        + "SELECT f.partition_no FROM " + groups + " f WHERE f.group_name = p_group AND f.pattern = p_pattern "
        + "AND (f.owner IS NULL OR f.lease_until < clock_timestamp()) ORDER BY f.partition_no "
        + "LIMIT greatest(v_share - v_held, 0) FOR UPDATE SKIP LOCKED));\n"
        + "  END IF;\n"
        + "  RETURN QUERY UPDATE " + groups + " g SET lease_until = v_until WHERE " + mine
        + " RETURNING g.partition_no, g.fence;\n"
        + "END\n"
        + "$fn$";
  }

  /**
   * {@code group_leases} as released in migration 3, kept verbatim (migrations are append only); replaced by
   * {@link #leasesFunction()} in migration 4. Its heartbeat upserted the member, so a renewal in flight when the
   * member left registered it again; and {@code IN (… LIMIT … FOR UPDATE SKIP LOCKED)} was planned as a semi join
   * that ran the subquery per row, so a rebalance took every free partition, whatever the fair share.
   *
   * <p>{@code group_leases(group, pattern, member, lease_ms, mode)}: a member's heartbeat and its share of a group's
   * partitions, in one round trip. Mode 0 renews the leases the member holds; mode 1 also rebalances (between
   * batches, with nothing in hand): it forgets members whose heartbeat expired, gives up partitions beyond the fair
   * share {@code ceil(partitions / live members)}, and takes free or expired ones up to it ({@code SKIP LOCKED}, so
   * members rebalancing at once never take the same one); mode 2 leaves, releasing everything. Every change of
   * owner bumps the partition's fence, so a former owner's acknowledgements match no row. Releasing notifies the
   * schema's channel, so waiting members try at once. Returns the partitions the member holds, with their fences.
   * Times are the database's clock ({@code clock_timestamp()}), so client clocks may disagree.
   */
  private String leasesFunctionV3() {
    String mine = "g.group_name = p_group AND g.pattern = p_pattern AND g.owner = p_member";
    return "CREATE FUNCTION " + leasesFunction + "(p_group text, p_pattern text, p_member text, p_lease_ms float8, "
        + "p_mode int) RETURNS TABLE (held_partition int, held_fence bigint) LANGUAGE plpgsql AS $fn$\n"
        + "DECLARE\n"
        + "  v_until timestamptz := clock_timestamp() + p_lease_ms * interval '1 millisecond';\n"
        + "  v_share int;\n"
        + "  v_held int;\n"
        + "  v_released int;\n"
        + "BEGIN\n"
        + "  IF p_mode = 2 THEN\n"
        + "    DELETE FROM " + members + " m WHERE m.group_name = p_group AND m.pattern = p_pattern "
        + "AND m.member_id = p_member;\n"
        + "    UPDATE " + groups + " g SET owner = NULL, lease_until = NULL, fence = g.fence + 1 WHERE " + mine + ";\n"
        + "    GET DIAGNOSTICS v_released = ROW_COUNT;\n"
        + "    IF v_released > 0 THEN PERFORM pg_notify('" + channel + "', ''); END IF;\n"
        + "    RETURN;\n"
        + "  END IF;\n"
        + "  INSERT INTO " + members + " AS m (group_name, pattern, member_id, alive_until) "
        + "VALUES (p_group, p_pattern, p_member, v_until) "
        + "ON CONFLICT (group_name, pattern, member_id) DO UPDATE SET alive_until = excluded.alive_until;\n"
        + "  IF p_mode = 1 THEN\n"
        + "    DELETE FROM " + members + " m WHERE m.group_name = p_group AND m.pattern = p_pattern "
        + "AND m.alive_until < clock_timestamp();\n"
        + "    SELECT ceil((SELECT count(*) FROM " + groups + " g WHERE g.group_name = p_group "
        + "AND g.pattern = p_pattern)::numeric / greatest(count(*), 1))::int INTO v_share FROM " + members
        + " m WHERE m.group_name = p_group AND m.pattern = p_pattern;\n"
        + "    UPDATE " + groups + " g SET owner = NULL, lease_until = NULL, fence = g.fence + 1 WHERE " + mine
        + " AND g.partition_no IN (SELECT h.partition_no FROM " + groups + " h WHERE h.group_name = p_group "
        + "AND h.pattern = p_pattern AND h.owner = p_member ORDER BY h.partition_no OFFSET v_share);\n"
        + "    GET DIAGNOSTICS v_released = ROW_COUNT;\n"
        + "    IF v_released > 0 THEN PERFORM pg_notify('" + channel + "', ''); END IF;\n"
        + "    SELECT count(*) INTO v_held FROM " + groups + " g WHERE " + mine
        + " AND g.lease_until >= clock_timestamp();\n"
        + "    UPDATE " + groups + " g SET owner = p_member, lease_until = v_until, fence = g.fence + 1 "
        + "WHERE g.group_name = p_group AND g.pattern = p_pattern AND g.partition_no IN ("
        + "SELECT f.partition_no FROM " + groups + " f WHERE f.group_name = p_group AND f.pattern = p_pattern "
        + "AND (f.owner IS NULL OR f.lease_until < clock_timestamp()) ORDER BY f.partition_no "
        + "LIMIT greatest(v_share - v_held, 0) FOR UPDATE SKIP LOCKED);\n"
        + "  END IF;\n"
        + "  RETURN QUERY UPDATE " + groups + " g SET lease_until = v_until WHERE " + mine
        + " RETURNING g.partition_no, g.fence;\n"
        + "END\n"
        + "$fn$";
  }

  /** The number of the newest migration this engine knows. */
  int latestVersion() {
    return migrations.size();
  }

  /** The statements of migration {@code version} (1-based). */
  List<String> migration(int version) {
    return migrations.get(version - 1);
  }

  /** A one-line description of migration {@code version}, stored in {@code schema_version}. */
  String description(int version) {
    return switch (version) {
      case 1 -> "event_log with xid8 visibility-horizon cursor";
      case 2 -> "group_cursor: durable group cursors with leases and fencing";
      case 3 -> "partitions, per-partition group leases and cursors, group members, scheduled events";
      case 4 -> "group_leases: heartbeats never re-register a member; the fair share is taken once per rebalance";
      default -> "migration " + version;
    };
  }

  /**
   * Returns {@code name} if it is a valid schema name.
   *
   * @throws ConfigException naming the value and the allowed form
   */
  static String requireIdentifier(String name) {
    if (name == null || !IDENTIFIER.matcher(name).matches()) {
      throw new ConfigException("invalid schema '" + name + "': a schema name is 1 to 48 characters of lowercase "
          + "letters, digits and '_', starting with a letter or '_'");
    }
    return name;
  }
}
