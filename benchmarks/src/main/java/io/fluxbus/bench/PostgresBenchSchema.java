package io.fluxbus.bench;

import io.fluxbus.codec.EventCodec;
import io.fluxbus.r2dbc.PostgresEventBus;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.Result;
import java.time.Duration;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Schemas for the Postgres benchmarks, for {@code benchmarks/postgres.sh}: {@code create NAME} makes an engine schema
 * (by starting and stopping a bus on it) and prints the CloudEvents JSON of the benchmark's event on one line, so that
 * {@code pgbench} inserts the same row into the same table; {@code drop NAME} drops one.
 */
public final class PostgresBenchSchema {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private PostgresBenchSchema() {
  }

  /** {@code create NAME} or {@code drop NAME}; see the class comment. */
  public static void main(String[] args) {
    if (args.length != 2 || !args[1].matches("[a-z_][a-z0-9_]{0,47}")) {
      throw new IllegalArgumentException("usage: create|drop SCHEMA (lowercase letters, digits, '_')");
    }
    switch (args[0]) {
      case "create" -> {
        create(args[1]);
        System.out.println(EventCodec.json().encodeToString(PostgresPublishThroughput.event()));
      }
      case "drop" -> drop(args[1]);
      default -> throw new IllegalArgumentException("unknown command '" + args[0] + "'; use create or drop");
    }
    System.exit(0);
  }

  /** Creates and migrates an engine schema. */
  static void create(String schema) {
    PostgresEventBus bus = PostgresEventBus.builder(PostgresPublishThroughput.url()).schema(schema).build();
    bus.start().block(TIMEOUT);
    bus.stop().block(TIMEOUT);
  }

  /** Drops a schema and everything in it. */
  static void drop(String schema) {
    Mono.usingWhen(ConnectionFactories.get(PostgresPublishThroughput.url()).create(),
            c -> Flux.from(c.createStatement("DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE").execute())
                .flatMap(Result::getRowsUpdated).then(),
            Connection::close)
        .block(TIMEOUT);
  }
}
