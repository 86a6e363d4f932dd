package io.fluxbus.kafka;

import java.time.Duration;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * One connected period of a durable engine, as a {@link SessionLifecycle} drives it: it counts the publishes
 * admitted and not yet handed on, has timers of its own, and closes.
 */
interface EngineSession {

  /** A publish passed the running check; a stop waits for it until {@link #publishHandedOn()}. */
  void publishAdmitted();

  /** An admitted publish ended: handed on, or failed. */
  void publishHandedOn();

  /** Publishes admitted and not yet handed on. */
  int publishing();

  /** The session's timers; nothing that may block runs there. */
  Scheduler timers();

  /** Releases everything the session holds, waiting up to {@code wait} for readers to settle what they hold. */
  Mono<Void> close(Duration wait);
}
