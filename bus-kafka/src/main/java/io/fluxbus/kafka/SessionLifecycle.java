package io.fluxbus.kafka;

import io.fluxbus.BusNotStartedException;
import io.fluxbus.internal.delivery.LocalEventBus;
import io.fluxbus.internal.delivery.LocalSettings;
import java.time.Duration;
import java.util.function.Supplier;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Whether a durable engine runs, and its session while it has one: stopped, starting,
 * running, stopping, stopped again. Concurrent starts share one; a stop during a start waits for that start to end,
 * then stops, so a bus is never left running by a start that finished after a stop; a stop closes the session
 * whatever stopping local delivery did. A stop waits (up to the drain timeout) for the session's publishes between
 * their running check and their local hand-off ({@link EngineSession#publishAdmitted()}); the count belongs to
 * the session, so a publish a stop gave up on never delays the next session's stop. Thread-safe.
 */
final class SessionLifecycle<S extends EngineSession> {

  private static final int STOPPED = 0;
  private static final int RUNNING = 1;
  private static final int STOPPING = 2;

  private final LocalSettings settings;
  private final LocalEventBus local;
  private final Supplier<Mono<S>> open;
  private final Object lock = new Object();
  private volatile int state = STOPPED;
  private volatile S session;
  private Mono<Void> starting;
  private Mono<Void> stopping;

  /**
   * @param open connects a new session (subscribed once per start)
   */
  SessionLifecycle(LocalSettings settings, LocalEventBus local, Supplier<Mono<S>> open) {
    this.settings = settings;
    this.local = local;
    this.open = open;
  }

  /**
   * Opens a session, then starts local delivery; idempotent, and concurrent calls share one start. Completes when
   * running; signals the session's error (after releasing what it opened), leaving the bus stopped, or an
   * {@link IllegalStateException} while a stop is under way.
   */
  Mono<Void> start() {
    return Mono.defer(() -> {
      synchronized (lock) {
        if (state == RUNNING) {
          return Mono.empty();
        }
        if (state == STOPPING) {
          return Mono.error(new IllegalStateException("bus '" + settings.engine()
              + "' is stopping; start it after stop() completes"));
        }
        if (starting == null) {
          starting = open.get()
              .flatMap(opened -> {
                session = opened;
                return local.start().onErrorResume(error -> opened.close(Duration.ZERO)
                    .then(Mono.fromRunnable(() -> session = null)).then(Mono.error(error)));
              })
              // before the outcome is signalled, so that a stop() waiting for this start finds the bus running
              .doOnSuccess(started -> {
                synchronized (lock) {
                  state = RUNNING;
                  starting = null;
                }
              })
              .doOnError(error -> {
                synchronized (lock) {
                  starting = null;
                }
              })
              .then()
              .cache();
        }
        return starting;
      }
    });
  }

  /**
   * Refuses new publishes, waits up to the drain timeout for publishes in flight to be handed on, stops local
   * delivery, then closes the session (up to the drain timeout for groups to settle); idempotent. During a start, it
   * waits for the start to end first. Signals the error local delivery failed to stop with, after the session closed
   * anyway.
   */
  Mono<Void> stop() {
    return Mono.defer(() -> {
      synchronized (lock) {
        if (stopping != null) {
          return stopping;
        }
        if (starting != null) {
          return starting.onErrorResume(error -> Mono.empty()).then(Mono.defer(this::stop));
        }
        if (state != RUNNING) {
          return Mono.empty();
        }
        state = STOPPING;
        S closing = session;
        // reset before completing, so that a start() right after stop() completes finds the bus stopped
        Runnable stopped = () -> {
          synchronized (lock) {
            state = STOPPED;
            session = null;
            stopping = null;
          }
        };
        Duration drain = settings.drainTimeout();
        stopping = publishesDone(closing)
            .then(local.stop())
            // the pool, the listener, the threads and the leases are released whatever local delivery did
            .onErrorResume(error -> closing.close(drain)
                .onErrorResume(closeError -> {
                  error.addSuppressed(closeError);
                  return Mono.empty();
                })
                .then(Mono.error(error)))
            .then(closing.close(drain))
            .then(Mono.fromRunnable(stopped))
            .onErrorResume(error -> Mono.fromRunnable(stopped).then(Mono.error(error)))
            .then()
            .cache();
        return stopping;
      }
    });
  }

  private Mono<Void> publishesDone(S closing) {
    if (closing.publishing() == 0) {
      return Mono.empty();
    }
    return Flux.interval(Duration.ofMillis(1), Duration.ofMillis(2), closing.timers())
        .filter(tick -> closing.publishing() == 0)
        .next()
        .timeout(settings.drainTimeout(), Mono.empty(), closing.timers())
        .then();
  }

  /**
   * Admits a publish: returns the running session, which counts it until
   * {@link EngineSession#publishHandedOn()}.
   *
   * @throws BusNotStartedException naming {@code action} unless running (then nothing is counted)
   */
  S admitPublish(String action) {
    S current = session;
    if (current == null) {
      throw notStarted(action);
    }
    current.publishAdmitted();
    if (state != RUNNING || session != current) {
      current.publishHandedOn();
      throw notStarted(action);
    }
    return current;
  }

  /**
   * The running session.
   *
   * @throws BusNotStartedException naming {@code action} unless running
   */
  S running(String action) {
    S current = session;
    if (state != RUNNING || current == null) {
      throw notStarted(action);
    }
    return current;
  }

  /** The session, from the moment it opened until the bus stopped (also while starting or stopping), else null. */
  S session() {
    return session;
  }

  /** Why {@code action} cannot be done now: the bus is stopping, or not started. */
  BusNotStartedException notStarted(String action) {
    return new BusNotStartedException("Cannot " + action + ": bus '" + settings.engine() + "' is "
        + (state == STOPPING ? "stopping" : "not started") + "; call start() first");
  }

  /** {@code running}, {@code stopping} or {@code stopped} (which includes starting). */
  @Override
  public String toString() {
    return state == RUNNING ? "running" : state == STOPPING ? "stopping" : "stopped";
  }
}
