package io.fluxbus.r2dbc;

import io.fluxbus.BusException;
import io.fluxbus.ConfigException;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.Result;
import java.util.List;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Creates and migrates a schema on start. Everything runs in one transaction that first takes a transaction-level
 * advisory lock on the schema's name, so processes starting at once migrate one after the other: the first applies
 * the missing migrations, the others then find them recorded in {@code schema_version} and apply nothing. The lock
 * is released by commit or rollback, so it cannot leak the way session locks do. In the same transaction it records
 * the partition count on first use and checks it afterwards: events of one key must always land in one partition, so
 * every bus of a schema must agree on it. Migrations run without the engine's statement timeout (they may build
 * indexes), within its lock timeout.
 */
final class SchemaMigrator {

  private final LogSchema schema;
  private final LogStatements log;

  SchemaMigrator(LogSchema schema, LogStatements log) {
    this.schema = schema;
    this.log = log;
  }

  /**
   * Brings the schema to {@link LogSchema#latestVersion()}.
   *
   * @return completes with the number of migrations applied by this call (0 when already current); signals a
   *     {@link BusException} when the schema was migrated by a newer engine, a {@link ConfigException} when it was
   *     created with another partition count, and the driver's error otherwise
   */
  Mono<Integer> migrate(LogDatabase database) {
    return database.withConnection(this::migrate);
  }

  private Mono<Integer> migrate(Connection connection) {
    // a migration may build an index over a long log: no statement timeout, but the lock timeout stays, so a start
    // waiting behind another process's long transaction fails rather than queue every reader behind it
    Mono<Integer> work = run(connection, "SET LOCAL statement_timeout = 0")
        .then(run(connection, schema.lockMigrations, schema.schema))
        .then(run(connection, schema.createSchema))
        .then(run(connection, schema.createVersionTable))
        .then(LogDatabase.firstRow(connection.createStatement(schema.currentVersion),
            (row, meta) -> row.get("version", Integer.class)))
        .flatMap(current -> {
          if (current > schema.latestVersion()) {
            return Mono.error(new BusException("schema '" + schema.schema + "' is at version " + current
                + ", newer than this engine's " + schema.latestVersion() + "; upgrade Fluxbus or use another schema"));
          }
          return Flux.range(current + 1, schema.latestVersion() - current)
              .concatMap(version -> apply(connection, version).thenReturn(version))
              .count()
              .map(Long::intValue);
        })
        .flatMap(applied -> checkPartitions(connection).thenReturn(applied));
    return Mono.from(connection.beginTransaction())
        .then(work)
        .flatMap(applied -> Mono.from(connection.commitTransaction()).thenReturn(applied))
        .onErrorResume(error -> Mono.from(connection.rollbackTransaction())
            .onErrorResume(rollbackError -> Mono.empty())
            .then(Mono.error(error)));
  }

  private Mono<Void> checkPartitions(Connection connection) {
    String configured = Integer.toString(log.partitions);
    return run(connection, log.recordPartitions, configured)
        .then(LogDatabase.firstRow(connection.createStatement(log.recordedPartitions),
            (row, meta) -> row.get("value", String.class)))
        .flatMap(recorded -> recorded.equals(configured) ? Mono.<Void>empty()
            : Mono.error(new ConfigException("partitions " + configured + " differs from the " + recorded
                + " that schema '" + schema.schema + "' was created with; every bus of a schema must use the same "
                + "count (events of one key must stay in one partition), so set partitions: " + recorded
                + " or use another schema")));
  }

  private Mono<Void> apply(Connection connection, int version) {
    List<String> statements = schema.migration(version);
    return Flux.fromIterable(statements)
        .concatMap(sql -> run(connection, sql))
        .then(run(connection, schema.recordVersion, version, schema.description(version)));
  }

  private static Mono<Void> run(Connection connection, String sql, Object... bindings) {
    var statement = connection.createStatement(sql);
    for (int i = 0; i < bindings.length; i++) {
      statement.bind(i, bindings[i]);
    }
    return Flux.from(statement.execute()).flatMap(Result::getRowsUpdated).then();
  }
}
