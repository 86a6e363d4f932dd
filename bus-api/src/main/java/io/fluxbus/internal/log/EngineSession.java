package io.fluxbus.internal.log;

import java.time.Duration;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * One connected period of an engine: what a start opened (connections, readers, threads) and a stop closes. A
 * {@link SessionLifecycle} holds at most one at a time.
 */
public interface EngineSession {

  /**
   * Releases everything the session holds. Called once, after local delivery stopped (or failed to start).
   *
   * @param drain how long durable readers may settle what they have in hand before the connections close
   * @return completes once closed; an error is reported by the stop, after which the session counts as closed
   */
  Mono<Void> close(Duration drain);

  /**
   * The session's own timers (polls, heartbeats, the stop's waits): a scheduler the engine owns, so that tests in
   * virtual time do not stop them.
   */
  Scheduler timers();
}
