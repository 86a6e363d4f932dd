package io.fluxbus.internal.log;

import io.fluxbus.Event;
import io.fluxbus.PublishResult;
import io.fluxbus.internal.delivery.LocalEventBus;
import java.time.Instant;
import reactor.core.publisher.Mono;

/**
 * The durable publish pipeline, the same for every engine with a log: admit (the bus runs; a stop waits for the
 * publish), stamp (source and time), encode, wait until every log-served subscription of this bus reads the log,
 * append, hand on to this bus's ordinary subscriptions. Once subscribed, a publish runs to its end whatever its
 * subscriber does: cancelling stops waiting for the result, not the append or the hand-off, since an append already
 * sent may be stored, and then every bus, this one included, must get the event.
 */
public final class DurablePublish {

  private DurablePublish() {}

  /**
   * Publishes {@code event} through the running session of {@code sessions}. Lazy.
   *
   * @param source the CloudEvents source stamped on events that have none
   * @return the local hand-off's result; signals {@link io.fluxbus.BusNotStartedException} unless running,
   *     {@link io.fluxbus.CodecException} when the event cannot be encoded, and what the append signals
   */
  public static <S extends AppendingSession<?>> Mono<PublishResult> publish(SessionLifecycle<S> sessions,
                                                                            LocalEventBus local, String source,
                                                                            Event<?> event) {
    return Mono.defer(() -> {
      Event<?> stamped = event.withDefaults(source, Instant.now());
      SessionLifecycle.Admitted<S> admitted = sessions.admitPublish("publish '" + event.topic() + "'");
      AppendingSession<?> session = admitted.session();
      return run(admitted, session, local, stamped);
    });
  }

  private static <W> Mono<PublishResult> run(SessionLifecycle.Admitted<?> admitted, AppendingSession<W> session,
                                             LocalEventBus local, Event<?> stamped) {
    W stored;
    try {
      stored = session.encode(stamped);
    } catch (Throwable unencodable) {
      // an Error (a payload nested too deep for the encoder) too: a stop must not wait for this publish
      admitted.handedOn();
      return Mono.error(unencodable);
    }
    Mono<PublishResult> whole = local.logAttachments()
        .then(session.append(stamped, stored))
        .then(Mono.defer(() -> session.handOn(stamped, stored)))
        .doFinally(signal -> admitted.handedOn());
    // subscribed here and only observed: readers pass this bus's own appends by, so a cancelled hand-off would
    // never reach this bus's subscribers although the event is stored
    return Mono.fromFuture(whole.toFuture(), true);
  }
}
