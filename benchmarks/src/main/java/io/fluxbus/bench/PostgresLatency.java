package io.fluxbus.bench;

import io.fluxbus.r2dbc.PostgresEventBus;
import io.r2dbc.postgresql.api.PostgresqlConnection;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.Result;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongConsumer;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Publish-to-handler latency of the {@code postgres} engine, at a paced rate, reported as p50, p90, p99 and max in
 * microseconds. Every side lives in this JVM, so the payload carries the publisher's {@code System.nanoTime()} and
 * the handler subtracts it from its own: the same clock.
 *
 * <ul>
 *   <li>{@code local}: a sync handler on the publishing bus (append committed, then handed on);</li>
 *   <li>{@code tail}: a sync handler on a second bus with its own pool, as another process (the publisher's coalesced
 *       NOTIFY wakes the second bus's tail, which reads the row below the horizon);</li>
 *   <li>{@code group}: a durable group's member on the second bus (read its partition, hand on, acknowledge);</li>
 *   <li>{@code rawNotify}: the database's ceiling for that hop: one statement inserting the same row and sending
 *       {@code pg_notify} with the timestamp, in one transaction, received by a {@code LISTEN}ing connection.</li>
 * </ul>
 *
 * <pre>
 * java -cp benchmarks.jar io.fluxbus.bench.PostgresLatency --impl tail [--rate 200] [--warmup 2000]
 *     [--events 4000] [--out results.jsonl]
 * </pre>
 */
public final class PostgresLatency {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private PostgresLatency() {
  }

  /** Runs one measurement; see the class comment for the arguments. Prints (and appends to --out) one JSON line. */
  public static void main(String[] args) throws IOException {
    String schema = "latency_" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 4);
    PacedLatency.main(args, "tail", 200, 2_000, 4_000, (impl, arrived) -> {
      PacedLatency.Side side = switch (impl) {
        case "local", "tail", "group" -> busSide(impl, schema, arrived);
        case "rawNotify" -> new RawNotifySide(schema, arrived);
        default -> throw new IllegalArgumentException("unknown impl " + impl + "; local, tail, group or rawNotify");
      };
      return new PacedLatency.Side() {
        @Override
        public void send(long sentNanos) {
          side.send(sentNanos);
        }

        @Override
        public void close() {
          try {
            side.close();
          } finally {
            PostgresBenchSchema.drop(schema);
          }
        }
      };
    });
  }


  /** A publishing bus and, but for {@code local}, a receiving bus on the same schema with a pool of its own. */
  private static PacedLatency.Side busSide(String impl, String schema, LongConsumer arrived) {
    PostgresEventBus publisher = PostgresEventBus.builder(PostgresPublishThroughput.url()).schema(schema)
        .name("publisher").workers(1).build();
    PostgresEventBus receiver = impl.equals("local") ? publisher
        : PostgresEventBus.builder(PostgresPublishThroughput.url()).schema(schema).name("receiver").workers(1).build();
    return BusLatencySide.open(publisher, receiver, impl.equals("group"), arrived, () -> { });
  }

  /** One connection inserting the row and notifying in one statement; another LISTENing. */
  private static final class RawNotifySide implements PacedLatency.Side {
    private final Connection writer;
    private final PostgresqlConnection listener;
    private final Disposable listening;
    private final String channel;
    private final String statement;
    private final String json = io.fluxbus.codec.EventCodec.json().encodeToString(PostgresPublishThroughput.event());

    RawNotifySide(String schema, LongConsumer arrived) {
      PostgresBenchSchema.create(schema);
      channel = schema + "_raw";
      statement = "WITH appended AS (" + PostgresPublishThroughput.rawInsert(schema).replace("VALUES ($1,",
          "VALUES (gen_random_uuid()::text,").replace("$2::jsonb", "$1::jsonb") + " RETURNING 1) "
          + "SELECT pg_notify('" + channel + "', $2) FROM appended";
      writer = Mono.from(ConnectionFactories.get(PostgresPublishThroughput.url()).create()).block(TIMEOUT);
      listener = (PostgresqlConnection) Mono.from(ConnectionFactories.get(PostgresPublishThroughput.url()).create())
          .block(TIMEOUT);
      listening = listener.getNotifications().onBackpressureBuffer()
          .subscribe(notification -> arrived.accept(Long.parseLong(notification.getParameter())));
      Flux.from(listener.createStatement("LISTEN \"" + channel + "\"").execute()).flatMap(Result::getRowsUpdated)
          .then().block(TIMEOUT);
    }

    @Override
    public void send(long sentNanos) {
      Flux.from(writer.createStatement(statement).bind(0, json).bind(1, Long.toString(sentNanos)).execute())
          .flatMap(Result::getRowsUpdated).subscribe();
    }

    @Override
    public void close() {
      listening.dispose();
      Mono.from(listener.close()).block(TIMEOUT);
      Mono.from(writer.close()).block(TIMEOUT);
    }
  }
}
