package io.fluxbus.bench;

import io.fluxbus.Event;
import io.fluxbus.codec.EventCodec;
import io.fluxbus.r2dbc.PostgresEventBus;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.pool.ConnectionPoolConfiguration;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.Result;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Publish throughput of the {@code postgres} engine against a real PostgreSQL ({@code FLUXBUS_POSTGRES_URL}, default
 * {@code r2dbc:postgresql://postgres@127.0.0.1:5432/postgres}), events per second, with {@code inFlight} publishes
 * outstanding at once (1: one publisher waiting for each result; more: concurrent publishes, which the engine appends
 * as multi-row inserts).
 *
 * <ul>
 *   <li>{@code engine}: {@code PostgresEventBus.publish(event)} with the default settings (a pool of 10, appends on
 *       at most 2 connections at once, each inserting every publish queued meanwhile), no subscriber; it measures
 *       encoding, the append, its commit, the coalesced NOTIFY for other buses and the result;</li>
 *   <li>{@code r2dbcInsert}: the same row (same table, indexes and JSON) inserted one per transaction with plain
 *       r2dbc on a pool of {@code inFlight} connections: the client the engine builds on, what a hand-written
 *       outbox insert would do.</li>
 * </ul>
 *
 * <p>{@code benchmarks/postgres.sh} runs this next to {@code pgbench} inserting the same row at the same concurrency
 * and prints the ratios. Every trial works in a schema of its own, dropped afterwards.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 10, time = 2)
@Measurement(iterations = 5, time = 2)
@State(Scope.Benchmark)
public class PostgresPublishThroughput {

  static final int BATCH = 200;
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  /** What publishes. */
  @Param({"engine", "r2dbcInsert"})
  public String impl;

  /** Publishes outstanding at once. */
  @Param({"1", "16"})
  public int inFlight;

  private final String schema = "bench_" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 4);
  private PostgresEventBus bus;
  private ConnectionPool pool;
  private Event<Object> event;
  private String json;
  private String insert;

  /** The server benchmarks talk to. */
  static String url() {
    String configured = System.getenv("FLUXBUS_POSTGRES_URL");
    return configured == null || configured.isBlank() ? "r2dbc:postgresql://postgres@127.0.0.1:5432/postgres"
        : configured;
  }

  /** The event every publish sends: a small order, with a key and a source (the Redis suite's). */
  static Event<Object> event() {
    return Event.builder("order.placed", (Object) Map.of("orderId", "o-12345", "customer", "c-42", "total", 99.5))
        .key("c-42").source("bench").build();
  }

  /** The engine's one-row insert into {@code schema}'s log, with the event's values inlined but its id. */
  static String rawInsert(String schema) {
    return "INSERT INTO \"" + schema + "\".event_log (event_id, topic, event_key, origin, partition_no, cloud_event) "
        + "VALUES ($1, 'order.placed', 'c-42', 'raw', 0, $2::jsonb)";
  }

  /** Creates the schema (through a bus, so that it is the engine's), then starts the bus or the raw pool. */
  @Setup(Level.Trial)
  public void start() {
    event = event();
    json = EventCodec.json().encodeToString(event);
    bus = PostgresEventBus.builder(url()).schema(schema).workers(1).build();
    bus.start().block(TIMEOUT);
    if (impl.equals("r2dbcInsert")) {
      bus.stop().block(TIMEOUT);
      bus = null;
      insert = rawInsert(schema);
      pool = new ConnectionPool(ConnectionPoolConfiguration.builder(ConnectionFactories.get(url()))
          .initialSize(inFlight).maxSize(inFlight).build());
    } else if (!impl.equals("engine")) {
      throw new IllegalArgumentException("unknown impl " + impl);
    }
  }

  /** Stops the bus or the pool and drops the schema. */
  @TearDown(Level.Trial)
  public void stop() {
    if (bus != null) {
      bus.stop().block(TIMEOUT);
    }
    if (pool != null) {
      pool.disposeLater().block(TIMEOUT);
    }
    PostgresBenchSchema.drop(schema);
  }

  /** Publishes {@link #BATCH} events, {@code inFlight} at a time, and waits for every result. */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public long publish() {
    return InFlightPublishes.complete(BATCH, inFlight, this::send, impl);
  }

  private Mono<?> send() {
    if (bus != null) {
      return bus.publish(event);
    }
    return Mono.usingWhen(pool.create(), c -> Flux.from(c.createStatement(insert)
            .bind(0, UUID.randomUUID().toString()).bind(1, json).execute())
            .flatMap(Result::getRowsUpdated).then(Mono.just(1)),
        Connection::close);
  }
}
