package io.fluxbus.r2dbc;

import io.fluxbus.ConfigException;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The SQL of one Fluxbus schema: the versioned migrations and every statement the engine runs, with the schema
 * name validated once and quoted. Values are always bound parameters; only the validated schema name (and the
 * channel derived from it) is ever spliced into SQL text. Immutable.
 */
final class LogSchema {

  /** Lowercase letters, digits and underscores, starting with a letter or underscore; short enough for a channel. */
  private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,47}");

  /** The first half of the two-key advisory lock that serialises migrations ("FLUX" in ASCII). */
  static final int MIGRATION_LOCK_CLASS = 0x464C5558;

  /**
   * The migrations in order; migration {@code i} (1-based) is {@code migrations.get(i - 1)}. Append only: a
   * released migration is never edited.
   */
  private final List<List<String>> migrations;

  final String schema;
  final String channel;
  final String createSchema;
  final String createVersionTable;
  final String lockMigrations;
  final String currentVersion;
  final String recordVersion;
  final String append;
  final String notify;
  final String head;
  final String readAfter;
  final String firstAtOrAfter;
  final String createGroup;
  final String claimGroup;
  final String renewGroup;
  final String ackGroup;
  final String releaseGroup;
  final String deleteExpired;

  LogSchema(String schema) {
    this.schema = requireIdentifier(schema);
    String s = '"' + schema + '"';
    String log = s + ".event_log";
    this.channel = schema + "_wakeup";
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
            // one row per durable group: its cursor and a lease with a fencing token; small and hot
            "CREATE TABLE " + s + ".group_cursor ("
                + "group_name text NOT NULL, "
                + "pattern text NOT NULL, "
                + "cursor_tx xid8 NOT NULL, "
                + "cursor_pos bigint NOT NULL, "
                + "owner text, "
                + "lease_until timestamptz, "
                + "fence bigint NOT NULL DEFAULT 0, "
                + "PRIMARY KEY (group_name, pattern)) WITH (fillfactor = 70)",
            "CREATE INDEX event_log_time ON " + log + " (appended_at)"));
    this.append = "INSERT INTO " + log + " (event_id, topic, event_key, origin, cloud_event) "
        + "VALUES ($1, $2, $3, $4, $5::jsonb) RETURNING position";
    this.notify = "SELECT pg_notify($1, '')";
    this.head = "SELECT tx_id::text AS tx, position FROM " + log
        + " WHERE tx_id < pg_snapshot_xmin(pg_current_snapshot()) ORDER BY tx_id DESC, position DESC LIMIT 1";
    this.readAfter = "SELECT tx_id::text AS tx, position, origin, topic, cloud_event::text AS cloud_event FROM "
        + log
        + " WHERE (tx_id, position) > ($1::text::xid8, $2)"
        + " AND tx_id < pg_snapshot_xmin(pg_current_snapshot())"
        + " ORDER BY tx_id, position LIMIT $3";
    this.firstAtOrAfter = "SELECT tx_id::text AS tx, position FROM " + log
        + " WHERE appended_at >= $1 ORDER BY tx_id, position LIMIT 1";
    String groups = s + ".group_cursor";
    String lease = "clock_timestamp() + $4::float8 * interval '1 millisecond'";
    this.createGroup = "INSERT INTO " + groups + " (group_name, pattern, cursor_tx, cursor_pos) "
        + "VALUES ($1, $2, $3::text::xid8, $4) ON CONFLICT DO NOTHING";
    // the fence goes up whenever the owner changes, so a stale owner's acks match no row
    this.claimGroup = "UPDATE " + groups + " SET owner = $3, lease_until = " + lease + ", "
        + "fence = CASE WHEN owner = $3 THEN fence ELSE fence + 1 END "
        + "WHERE group_name = $1 AND pattern = $2 "
        + "AND (owner IS NULL OR owner = $3 OR lease_until < clock_timestamp()) "
        + "RETURNING cursor_tx::text AS tx, cursor_pos, fence";
    this.renewGroup = "UPDATE " + groups + " SET lease_until = " + lease
        + " WHERE group_name = $1 AND pattern = $2 AND owner = $3 AND fence = $5";
    this.ackGroup = "UPDATE " + groups + " SET lease_until = " + lease + ", cursor_tx = $6::text::xid8, "
        + "cursor_pos = $7 WHERE group_name = $1 AND pattern = $2 AND owner = $3 AND fence = $5";
    // only rows below the horizon, and only rows every durable group has acknowledged: retention never takes an
    // event a group has yet to handle
    this.deleteExpired = "DELETE FROM " + log + " WHERE position IN (SELECT l.position FROM " + log + " l "
        + "WHERE l.appended_at < clock_timestamp() - $1::float8 * interval '1 millisecond' "
        + "AND l.tx_id < pg_snapshot_xmin(pg_current_snapshot()) "
        + "AND NOT EXISTS (SELECT 1 FROM " + groups + " g WHERE (g.cursor_tx, g.cursor_pos) < (l.tx_id, l.position)) "
        + "ORDER BY l.tx_id, l.position LIMIT $2)";
    this.releaseGroup = "UPDATE " + groups + " SET owner = NULL, lease_until = NULL "
        + "WHERE group_name = $1 AND pattern = $2 AND owner = $3 AND fence = $4";
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
