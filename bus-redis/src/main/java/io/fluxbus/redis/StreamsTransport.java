package io.fluxbus.redis;

import io.fluxbus.Event;
import io.fluxbus.PublishResult;
import io.fluxbus.StartPosition;
import io.fluxbus.codec.EventCodec;
import io.fluxbus.internal.delivery.LocalEventBus;
import io.fluxbus.internal.log.DurablePublish;
import io.fluxbus.internal.log.EngineEvents;
import io.fluxbus.internal.log.SessionLifecycle;
import io.fluxbus.spi.LogConsumer;
import java.time.Instant;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/**
 * Redis streams: the durable publish pipeline of the kit over a {@link StreamsSession}; groups and replays are
 * served from the log through the core's {@code DurableLog}.
 */
final class StreamsTransport extends RedisTransport<StreamsSession> {

  private final RedisSettings settings;

  StreamsTransport(RedisSettings settings, PubSubChannels channels, EngineEvents events) {
    this.settings = settings;
    this.local = new LocalEventBus(settings.local(), this::attach);
    EventCodec codec = EventCodec.json();
    this.sessions = new SessionLifecycle<>(settings.engine(), local, settings.local().drainTimeout(),
        () -> StreamsSession.open(settings, channels, local, codec, events));
  }

  @Override
  Mono<PublishResult> publish(Event<?> event) {
    return DurablePublish.publish(sessions, local, settings.local().source(), event);
  }

  @Override
  Mono<PublishResult> publishAt(Event<?> event, Instant deliverAt) {
    return Mono.defer(() -> {
      StreamsSession log = sessions.running("publish '" + event.topic() + "' at " + deliverAt);
      Event<?> stamped = event.withDefaults(settings.local().source(), Instant.now());
      return log.schedule(stamped, log.codec().encodeToString(stamped), deliverAt);
    });
  }

  @Override
  Mono<Void> resetGroup(String group, String pattern, StartPosition position) {
    return Mono.defer(() -> sessions.running("reset group '" + group + "'").resetGroup(group, pattern, position));
  }

  /** The log reading of a group or replaying subscription; see {@code DurableLog}. */
  private Mono<Disposable> attach(LogConsumer consumer) {
    StreamsSession log = sessions.session();
    if (log == null) {
      return Mono.error(sessions.notStarted("subscribe to '" + consumer.pattern().value() + "' with "
          + consumer.group().map(group -> "group '" + group + "'").orElse("a start position")));
    }
    return log.attach(consumer);
  }

  @Override
  void freezeLeases(boolean frozen) {
    StreamsSession log = sessions.session();
    if (log != null) {
      log.freezeLeases(frozen);
    }
  }

  @Override
  Mono<Void> halt() {
    StreamsSession log = sessions.session();
    return log == null ? Mono.empty() : log.halt();
  }
}
