package io.fluxbus.r2dbc;

import io.fluxbus.internal.Redaction;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.Result;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import java.util.UUID;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The PostgreSQL server the tests of this module use, resolved once per run (docs/architecture.md, "Servers for
 * tests"): {@code FLUXBUS_POSTGRES_URL} when set (unreachable is then a failure, never a skip); else {@code
 * r2dbc:postgresql://postgres@127.0.0.1:5432/postgres} when it answers; else an embedded real PostgreSQL (zonky)
 * started for the run and stopped at JVM exit. The choice is printed once. Public, in this module's test-jar, for
 * the examples' tests.
 */
public final class PostgresTestServer {

  static final String DEFAULT_URL = "r2dbc:postgresql://postgres@127.0.0.1:5432/postgres";
  private static final Duration PROBE = Duration.ofSeconds(5);
  private static volatile String url;

  private PostgresTestServer() {}

  /** The URL of the server, resolving it on first use. */
  public static synchronized String url() {
    if (url == null) {
      url = resolve();
    }
    return url;
  }

  private static String resolve() {
    String configured = System.getenv("FLUXBUS_POSTGRES_URL");
    if (configured != null && !configured.isBlank()) {
      try {
        probe(configured);
      } catch (RuntimeException e) {
        throw new IllegalStateException("FLUXBUS_POSTGRES_URL is set but the server does not answer: "
            + Redaction.url(configured), e);
      }
      announce("FLUXBUS_POSTGRES_URL " + Redaction.url(configured));
      return configured;
    }
    try {
      probe(DEFAULT_URL);
      announce("local server " + DEFAULT_URL);
      return DEFAULT_URL;
    } catch (RuntimeException unreachable) {
      return embedded();
    }
  }

  private static String embedded() {
    try {
      EmbeddedPostgres server = EmbeddedPostgres.builder().start();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          server.close();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }));
      String embeddedUrl = "r2dbc:postgresql://postgres@127.0.0.1:" + server.getPort() + "/postgres";
      announce("embedded PostgreSQL " + embeddedUrl);
      return embeddedUrl;
    } catch (IOException e) {
      throw new UncheckedIOException("no PostgreSQL at " + DEFAULT_URL + " and the embedded one failed to start", e);
    }
  }

  private static void probe(String candidate) {
    ConnectionFactory factory = ConnectionFactories.get(candidate);
    Mono.usingWhen(factory.create(), c -> Mono.from(c.createStatement("SELECT 1").execute())
            .flatMap(result -> Mono.from(result.getRowsUpdated())), Connection::close)
        .block(PROBE);
  }

  private static void announce(String what) {
    System.out.println("[fluxbus bus-r2dbc tests] PostgreSQL: " + what);
  }

  /** A fresh schema name for one test class, e.g. {@code t_contract_1a2b3c4d}. */
  static String freshSchema(String prefix) {
    return "t_" + prefix + "_" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** Runs SQL on a new connection and returns the first column of each row as text. */
  static List<String> query(String sql, Object... bindings) {
    ConnectionFactory factory = ConnectionFactories.get(url());
    return Flux.usingWhen(factory.create(), c -> {
          var statement = c.createStatement(sql);
          for (int i = 0; i < bindings.length; i++) {
            statement.bind(i, bindings[i]);
          }
          return Flux.from(statement.execute())
              .flatMap(result -> result.map((row, meta) -> String.valueOf(row.get(0))));
        }, Connection::close)
        .collectList()
        .block(Duration.ofSeconds(30));
  }

  /** Runs a statement that returns no rows. */
  static void execute(String sql) {
    ConnectionFactory factory = ConnectionFactories.get(url());
    Mono.usingWhen(factory.create(), c -> Flux.from(c.createStatement(sql).execute())
            .flatMap(Result::getRowsUpdated).then(), Connection::close)
        .block(Duration.ofSeconds(30));
  }

  /** Drops a test schema and everything in it. */
  public static void dropSchema(String schema) {
    dropSchemas(List.of(schema));
  }

  /** Drops test schemas and everything in them, a few per statement, on one connection. */
  static void dropSchemas(List<String> schemas) {
    List<String> statements = new ArrayList<>();
    for (int from = 0; from < schemas.size(); from += 16) {
      StringJoiner names = new StringJoiner(", ", "DROP SCHEMA IF EXISTS ", " CASCADE");
      schemas.subList(from, Math.min(schemas.size(), from + 16))
          .forEach(schema -> names.add('"' + LogSchema.requireIdentifier(schema) + '"'));
      statements.add(names.toString());
    }
    ConnectionFactory factory = ConnectionFactories.get(url());
    Mono.usingWhen(factory.create(), c -> Flux.fromIterable(statements)
            .concatMap(sql -> Flux.from(c.createStatement(sql).execute()).flatMap(Result::getRowsUpdated))
            .then(), Connection::close)
        .block(Duration.ofSeconds(60));
  }
}
