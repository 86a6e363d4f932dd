package io.fluxbus.internal.log;

import io.fluxbus.Event;
import io.fluxbus.PublishResult;
import reactor.core.publisher.Mono;

/**
 * A session that appends to a durable log: the three steps of a durable publish that depend on the engine, run in
 * this order by {@link DurablePublish}.
 *
 * @param <W> the event's stored form (JSON text, bytes, a record)
 */
public interface AppendingSession<W> extends EngineSession {

  /**
   * The event's stored form; runs on the publishing thread.
   *
   * @throws io.fluxbus.CodecException when the event cannot be written (nothing is appended)
   */
  W encode(Event<?> stamped);

  /**
   * Appends the event; completes once it is stored, else signals {@link io.fluxbus.EngineUnavailableException}
   * (nothing stored, or, after a lost answer, possibly stored).
   */
  Mono<Void> append(Event<?> stamped, W stored);

  /**
   * Hands the appended event to this bus's ordinary subscriptions (other buses read it from the log) and completes
   * with what they did; never skipped once the append succeeded.
   */
  Mono<PublishResult> handOn(Event<?> stamped, W stored);
}
