package io.fluxbus.redis;

import io.fluxbus.Event;
import io.fluxbus.PublishResult;
import io.fluxbus.StartPosition;
import io.fluxbus.codec.EventCodec;
import io.fluxbus.internal.delivery.LocalEventBus;
import io.fluxbus.internal.log.EngineEvents;
import io.fluxbus.internal.log.SessionLifecycle;
import java.time.Instant;
import reactor.core.publisher.Mono;

/**
 * Redis pub/sub: a publish is delivered to this bus's own subscriptions first (the memory engine's rules), then
 * {@code PUBLISH}ed for every other bus; a {@link PubSubReceiver} fans other buses' events out through the same core.
 */
final class PubSubTransport extends RedisTransport<PubSubSession> {

  private final RedisSettings settings;
  private final PubSubChannels channels;
  private final PubSubReceiver receiver;
  private final EventCodec codec = EventCodec.json();

  PubSubTransport(RedisSettings settings, PubSubChannels channels, EngineEvents events) {
    this.settings = settings;
    this.channels = channels;
    this.local = new LocalEventBus(settings.local());
    this.receiver = new PubSubReceiver(channels, local, codec, events);
    this.sessions = new SessionLifecycle<>(settings.engine(), local, settings.local().drainTimeout(),
        () -> PubSubSession.open(settings, channels, receiver, events));
  }

  @Override
  Mono<PublishResult> publish(Event<?> event) {
    return Mono.defer(() -> {
      Event<?> stamped = event.withDefaults(settings.local().source(), Instant.now());
      byte[] body = codec.encode(stamped);
      return local.publish(stamped).flatMap(result -> {
        PubSubSession current = sessions.session();
        if (current == null) {
          // stopped between the local delivery and now: nobody else can be told any more
          return Mono.just(result);
        }
        return current.publish(channels.channel(stamped.topic()), body).thenReturn(result);
      });
    });
  }

  @Override
  Mono<PublishResult> publishAt(Event<?> event, Instant deliverAt) {
    return Mono.error(storesNothing("publish '" + event.topic() + "' at " + deliverAt));
  }

  @Override
  Mono<Void> resetGroup(String group, String pattern, StartPosition position) {
    return Mono.error(storesNothing("reset group '" + group + "'"));
  }

  private UnsupportedOperationException storesNothing(String action) {
    return new UnsupportedOperationException("Cannot " + action + ": bus '" + settings.engine() + "' runs in "
        + "pub/sub mode, which stores nothing; use mode streams");
  }

  @Override
  Mono<Void> halt() {
    return Mono.empty();
  }

  /** Events received from other buses since the bus was created. */
  long received() {
    return receiver.received();
  }

  /** Received events that reached no local subscriber: inbound buffer full, undecodable, or stopping. */
  long receiveDropped() {
    return receiver.dropped();
  }
}
