package io.fluxbus.internal.log;

import io.fluxbus.BusNotStartedException;
import io.fluxbus.internal.Idle;
import io.fluxbus.internal.delivery.LocalEventBus;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import reactor.core.publisher.Mono;

/**
 * Whether an engine runs, and its {@link EngineSession} while it has one: stopped, starting, running, stopping,
 * stopped again. Concurrent starts share one; a stop during a start waits for that start to end, then stops, so an
 * engine is never left running by a start that finished after a stop; a stop closes the session whatever stopping
 * local delivery did. A stop waits (up to the drain timeout) for the publishes {@linkplain #admitPublish admitted}
 * and not yet {@linkplain Admitted#handedOn() handed on}; that count belongs to the session, so a publish a stop gave
 * up on never delays the next session's stop. Thread-safe.
 *
 * @param <S> the engine's session
 */
public final class SessionLifecycle<S extends EngineSession> {

  private enum State { STOPPED, RUNNING, STOPPING }

  private final String engine;
  private final LocalEventBus local;
  private final Duration drainTimeout;
  private final Supplier<Mono<S>> open;
  private final Object lock = new Object();
  private volatile State state = State.STOPPED;
  private volatile Admitted<S> current;
  private Mono<Void> starting;
  private Mono<Void> stopping;

  /**
   * @param engine the engine's name, for error messages
   * @param local the engine's delivery core, started after the session opened and stopped before it closes
   * @param drainTimeout how long a stop waits for publishes in flight, and lets durable readers settle
   * @param open connects a new session (subscribed once per start); on error it must have released what it opened
   */
  public SessionLifecycle(String engine, LocalEventBus local, Duration drainTimeout, Supplier<Mono<S>> open) {
    this.engine = engine;
    this.local = local;
    this.drainTimeout = drainTimeout;
    this.open = open;
  }

  /**
   * Opens a session, then starts local delivery; idempotent, and concurrent calls share one start.
   *
   * @return completes when running; signals the session's error (after releasing what it opened), leaving the
   *     engine stopped, or an {@link IllegalStateException} while a stop is under way
   */
  public Mono<Void> start() {
    return Mono.defer(() -> {
      synchronized (lock) {
        if (state == State.RUNNING) {
          return Mono.empty();
        }
        if (state == State.STOPPING) {
          return Mono.error(new IllegalStateException("bus '" + engine
              + "' is stopping; start it after stop() completes"));
        }
        if (starting == null) {
          starting = open.get()
              .flatMap(opened -> {
                current = new Admitted<>(opened);
                return local.start().onErrorResume(error -> opened.close(Duration.ZERO)
                    .then(Mono.fromRunnable(() -> current = null)).then(Mono.error(error)));
              })
              // before the outcome is signalled, so that a stop() waiting for this start finds the engine running
              .doOnSuccess(started -> {
                synchronized (lock) {
                  state = State.RUNNING;
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
   * delivery, then closes the session (up to the drain timeout for durable readers to settle); idempotent. During a
   * start, it waits for the start to end first.
   *
   * @return completes once stopped; signals the error local delivery failed to stop with, after the session closed
   *     anyway
   */
  public Mono<Void> stop() {
    return Mono.defer(() -> {
      synchronized (lock) {
        if (stopping != null) {
          return stopping;
        }
        if (starting != null) {
          return starting.onErrorResume(error -> Mono.empty()).then(Mono.defer(this::stop));
        }
        if (state != State.RUNNING) {
          return Mono.empty();
        }
        state = State.STOPPING;
        Admitted<S> closing = current;
        // reset before completing, so that a start() right after stop() completes finds the engine stopped
        Runnable stopped = () -> {
          synchronized (lock) {
            state = State.STOPPED;
            current = null;
            stopping = null;
          }
        };
        S session = closing.session;
        stopping = Idle.until(() -> closing.publishing.get() == 0, drainTimeout, session.timers())
            .then(local.stop())
            // connections, threads and leases are released whatever local delivery did
            .onErrorResume(error -> session.close(drainTimeout)
                .onErrorResume(closeError -> {
                  error.addSuppressed(closeError);
                  return Mono.empty();
                })
                .then(Mono.error(error)))
            .then(session.close(drainTimeout))
            .then(Mono.fromRunnable(stopped))
            .onErrorResume(error -> Mono.fromRunnable(stopped).then(Mono.error(error)))
            .then()
            .cache();
        return stopping;
      }
    });
  }

  /**
   * Admits a publish: the running session, which a stop waits for until {@link Admitted#handedOn()}.
   *
   * @throws BusNotStartedException naming {@code action} unless running (then nothing is counted)
   */
  public Admitted<S> admitPublish(String action) {
    Admitted<S> running = current;
    if (running == null) {
      throw notStarted(action);
    }
    running.publishing.incrementAndGet();
    if (state != State.RUNNING || current != running) {
      running.handedOn();
      throw notStarted(action);
    }
    return running;
  }

  /**
   * The running session.
   *
   * @throws BusNotStartedException naming {@code action} unless running
   */
  public S running(String action) {
    Admitted<S> running = current;
    if (state != State.RUNNING || running == null) {
      throw notStarted(action);
    }
    return running.session;
  }

  /** The session, from the moment it opened until the engine stopped (also while starting or stopping), else null. */
  public S session() {
    Admitted<S> running = current;
    return running == null ? null : running.session;
  }

  /** True while running: started, and no stop under way. */
  public boolean isRunning() {
    return state == State.RUNNING;
  }

  /** Why {@code action} cannot be done now: the engine is stopping, or not started. */
  public BusNotStartedException notStarted(String action) {
    return new BusNotStartedException("Cannot " + action + ": bus '" + engine + "' is "
        + (state == State.STOPPING ? "stopping" : "not started") + "; call start() first");
  }

  /** {@code running}, {@code stopping} or {@code stopped} (which includes starting). */
  @Override
  public String toString() {
    return state.name().toLowerCase(Locale.ROOT);
  }

  /**
   * A session and the count of its publishes admitted and not yet handed on.
   *
   * @param <S> the engine's session
   */
  public static final class Admitted<S extends EngineSession> {
    private final S session;
    private final AtomicInteger publishing = new AtomicInteger();

    Admitted(S session) {
      this.session = session;
    }

    /** The session the publish runs in. */
    public S session() {
      return session;
    }

    /** The admitted publish ended: handed on to local delivery, or failed. Call exactly once per admission. */
    public void handedOn() {
      publishing.decrementAndGet();
    }
  }
}
