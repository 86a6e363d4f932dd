package io.fluxbus.redis;

import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Reads the log's partitions from given positions with blocking {@code XREAD}s on a connection of its own (a
 * blocking read on a shared connection would hold up every command queued behind it), and hands the entries to an
 * {@link EntryHandler} one at a time, in order per partition. The next read starts after the last entry handled, so
 * nothing is skipped, and it is issued only once the previous batch is handled: a slow handler slows the reading,
 * and entries wait in Redis, not in memory. A failed read (connection lost) is retried with backoff from the same
 * positions. Used for the bus's tail of the log and for replaying subscriptions.
 */
final class StreamReader implements Disposable {

  /** What to do with one entry; completes when done with it. Must not signal errors. */
  interface EntryHandler {
    Mono<Void> handle(StreamEntry entry);
  }

  private final StreamsSession session;
  private final String component;
  private final StatefulRedisConnection<String, byte[]> connection;
  private final Map<String, String> positions;
  private final EntryHandler handler;
  private final Sinks.Empty<Void> ended = Sinks.empty();
  private volatile boolean disposed;

  private StreamReader(StreamsSession session, String component, StatefulRedisConnection<String, byte[]> connection,
                       Map<String, String> from, EntryHandler handler) {
    this.session = session;
    this.component = component;
    this.connection = connection;
    this.positions = new LinkedHashMap<>(from);
    this.handler = handler;
  }

  /**
   * Opens a connection for {@code role} and starts reading after the given positions (stream key to the id of the
   * last entry not to read, {@code 0-0} for the whole stream).
   */
  static Mono<StreamReader> start(StreamsSession session, RedisConnections.Role role, String component,
                                  Map<String, String> from, EntryHandler handler) {
    return session.connections().connect(role).map(connection -> {
      StreamReader reader = new StreamReader(session, component, connection, from, handler);
      reader.run();
      return reader;
    });
  }

  private void run() {
    Mono.defer(this::readOnce)
        .repeat(() -> !disposed)
        .then(Mono.defer(() -> session.connections().close(connection)))
        .onErrorResume(error -> Mono.empty())
        .subscribe(null, null, ended::tryEmitEmpty);
  }

  @SuppressWarnings("unchecked")
  private Mono<Void> readOnce() {
    XReadArgs.StreamOffset<String>[] offsets = positions.entrySet().stream()
        .map(position -> XReadArgs.StreamOffset.from(position.getKey(), position.getValue()))
        .toArray(XReadArgs.StreamOffset[]::new);
    StreamsSettings streams = session.streams();
    return connection.reactive()
        .xread(XReadArgs.Builder.count(streams.readCount()).block(streams.blockTimeout()), offsets)
        .map(StreamEntry::of)
        .collectList()
        .flatMap(batch -> Flux.fromIterable(batch)
            .concatMap(entry -> handler.handle(entry)
                .then(Mono.fromRunnable(() -> positions.put(entry.stream(), entry.id()))))
            .then())
        .doOnSuccess(done -> session.events().connected(component))
        .onErrorResume(error -> {
          if (disposed) {
            return Mono.empty();
          }
          session.events().disconnected(component, session.connections().describe(error)
              + "; retrying from where it left off");
          return Mono.delay(RETRY_DELAY, session.timers()).then();
        });
  }

  /** Where reading paused after a failure, before the next attempt. */
  private static final Duration RETRY_DELAY = Duration.ofMillis(200);

  /** Completes once the reader stopped and closed its connection. */
  Mono<Void> ended() {
    return ended.asMono();
  }

  /** Stops: closes the connection, which ends a blocking read at once; an entry being handled is finished. */
  @Override
  public void dispose() {
    disposed = true;
    session.connections().close(connection).subscribe(null, error -> { });
  }

  @Override
  public boolean isDisposed() {
    return disposed;
  }
}
