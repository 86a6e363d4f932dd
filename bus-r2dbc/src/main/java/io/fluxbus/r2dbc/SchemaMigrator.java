package io.fluxbus.r2dbc;

import io.fluxbus.BusException;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.Result;
import java.util.List;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Creates and migrates a schema on start. Everything runs in one transaction that first takes a transaction-level
 * advisory lock on the schema's name, so processes starting at once migrate one after the other: the first applies
 * the missing migrations, the others then find them recorded in {@code schema_version} and apply nothing. The lock
 * is released by commit or rollback, so it cannot leak the way session locks do.
 */
final class SchemaMigrator {

  private final LogSchema schema;

  SchemaMigrator(LogSchema schema) {
    this.schema = schema;
  }

  /**
   * Brings the schema to {@link LogSchema#latestVersion()}.
   *
   * @return completes with the number of migrations applied by this call (0 when already current); signals a
   *     {@link BusException} when the schema was migrated by a newer engine, and the driver's error otherwise
   */
  Mono<Integer> migrate(ConnectionFactory connections) {
    return Mono.usingWhen(connections.create(), this::migrate, Connection::close, (c, error) -> c.close(),
        Connection::close);
  }

  private Mono<Integer> migrate(Connection connection) {
    Mono<Integer> work = run(connection, schema.lockMigrations, schema.schema)
        .then(run(connection, schema.createSchema))
        .then(run(connection, schema.createVersionTable))
        .then(Mono.from(connection.createStatement(schema.currentVersion).execute())
            .flatMap(result -> Mono.from(result.map((row, meta) -> row.get("version", Integer.class)))))
        .flatMap(current -> {
          if (current > schema.latestVersion()) {
            return Mono.error(new BusException("schema '" + schema.schema + "' is at version " + current
                + ", newer than this engine's " + schema.latestVersion() + "; upgrade Fluxbus or use another schema"));
          }
          return Flux.range(current + 1, schema.latestVersion() - current)
              .concatMap(version -> apply(connection, version).thenReturn(version))
              .count()
              .map(Long::intValue);
        });
    return Mono.from(connection.beginTransaction())
        .then(work)
        .flatMap(applied -> Mono.from(connection.commitTransaction()).thenReturn(applied))
        .onErrorResume(error -> Mono.from(connection.rollbackTransaction())
            .onErrorResume(rollbackError -> Mono.empty())
            .then(Mono.error(error)));
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
