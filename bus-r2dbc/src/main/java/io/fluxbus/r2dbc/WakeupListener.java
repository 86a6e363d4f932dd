package io.fluxbus.r2dbc;

import io.fluxbus.internal.Failures;
import io.fluxbus.internal.log.EngineEvents;
import io.r2dbc.postgresql.api.PostgresqlConnection;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.Result;
import java.time.Duration;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.util.retry.Retry;

/**
 * LISTENs on the schema's channel on a dedicated, unpooled connection and wakes the bus's readers on every
 * notification. Notifications are hints: the subscription to the driver's notification stream is made before
 * {@code LISTEN} (a notification with no subscriber is discarded). The driver (r2dbc-postgresql 1.1) multicasts
 * notifications best-effort, dropping them for a subscriber without demand; this one always has demand (it wakes
 * the readers synchronously, and {@code onBackpressureLatest} keeps the latest should a later stage ever lag), so a
 * burst of notifications costs wake-ups that fold into one pass each, never the stream. When the connection fails or
 * closes it reconnects with backoff, re-LISTENs and wakes the readers at once, because notifications sent meanwhile
 * are lost.
 */
final class WakeupListener {

  private final ConnectionFactory direct;
  private final LogSchema schema;
  private final Runnable wake;
  private final EngineEvents engineEvents;
  private final Scheduler scheduler;
  private final String origin;

  /** Listens for {@code schema}'s wake-ups but those whose payload is {@code origin} (this bus's own). */
  WakeupListener(ConnectionFactory direct, LogSchema schema, Runnable wake, EngineEvents engineEvents,
                 Scheduler scheduler, String origin) {
    this.direct = direct;
    this.schema = schema;
    this.wake = wake;
    this.engineEvents = engineEvents;
    this.scheduler = scheduler;
    this.origin = origin;
  }

  /** Starts listening; dispose the result to stop and close the connection. */
  Disposable start() {
    return Flux.usingWhen(direct.create(), this::listen, Connection::close, (c, error) -> c.close(),
            Connection::close)
        .doOnError(error -> engineEvents.disconnected("listening on '" + schema.channel + "'",
            Failures.describe(error) + "; reconnecting, then reading what was missed"))
        .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(50)).maxBackoff(Duration.ofSeconds(5))
            .transientErrors(true).scheduler(scheduler))
        .repeat()
        .subscribe();
  }

  private Flux<Object> listen(Connection connection) {
    PostgresqlConnection postgres = (PostgresqlConnection) connection;
    Flux<Object> notifications = postgres.getNotifications()
        .onBackpressureLatest()
        .filter(notification -> !origin.equals(notification.getParameter()))
        .doOnNext(notification -> wake.run())
        .cast(Object.class);
    Flux<Object> listen = Flux.from(postgres.createStatement("LISTEN \"" + schema.channel + "\"").execute())
        .flatMap(Result::getRowsUpdated)
        .then()
        .doOnSuccess(listening -> {
          engineEvents.connected("listening on '" + schema.channel + "'");
          wake.run();
        })
        .thenMany(Flux.empty());
    // merge subscribes in order: notifications first, then LISTEN
    return Flux.merge(notifications, listen);
  }
}
