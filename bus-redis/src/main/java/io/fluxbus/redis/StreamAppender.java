package io.fluxbus.redis;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Appends on a connection of their own that does not flush each command as it is issued: every append is queued on
 * the connection at once, and one flush writes all those queued meanwhile, so concurrent publishes reach Redis as a
 * pipeline (one write, one read of the replies) instead of one system call each. A flush is asked for after each
 * append and runs on the session's timer thread; appends issued while it is pending or running ride along with it.
 * Thread-safe.
 */
final class StreamAppender {

  private final StatefulRedisConnection<String, byte[]> connection;
  private final Scheduler flusher;
  private final Scheduler completions;
  private final AtomicInteger wanted = new AtomicInteger();
  private final Runnable flush = this::flush;

  /**
   * @param flusher where flushes run
   * @param completions where appends complete: never on the connection's I/O thread, which a subscriber running
   *     on it would hold up (and a nested publish waiting on it would deadlock)
   */
  StreamAppender(StatefulRedisConnection<String, byte[]> connection, Scheduler flusher, Scheduler completions) {
    this.connection = connection;
    this.flusher = flusher;
    this.completions = completions;
    connection.setAutoFlushCommands(false);
  }

  /** Appends one entry; lazy. Completes with its id once Redis answered. */
  Mono<String> xadd(String key, XAddArgs args, Map<String, byte[]> fields) {
    return Mono.defer(() -> {
      RedisFuture<String> appended = connection.async().xadd(key, args, fields);
      if (wanted.getAndIncrement() == 0) {
        try {
          flusher.schedule(flush);
        } catch (RejectedExecutionException closing) {
          flush();
        }
      }
      return Mono.fromCompletionStage(appended).publishOn(completions);
    });
  }

  private void flush() {
    int missed = wanted.get();
    while (true) {
      connection.flushCommands();
      missed = wanted.addAndGet(-missed);
      if (missed == 0) {
        return;
      }
    }
  }
}
