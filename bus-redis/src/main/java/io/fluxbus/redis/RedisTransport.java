package io.fluxbus.redis;

import io.fluxbus.Event;
import io.fluxbus.PublishResult;
import io.fluxbus.StartPosition;
import io.fluxbus.internal.delivery.LocalEventBus;
import io.fluxbus.internal.log.EngineSession;
import io.fluxbus.internal.log.SessionLifecycle;
import io.fluxbus.internal.log.EngineEvents;
import java.time.Instant;
import reactor.core.publisher.Mono;

/**
 * How a {@link RedisEventBus} moves events between processes, chosen once by its mode: {@link #pubSub} or
 * {@link #streams}. The bus is a facade over one of them; each owns the bus's delivery core and its session
 * lifecycle. Thread-safe.
 *
 * @param <S> the transport's session
 */
abstract class RedisTransport<S extends EngineSession> {

  // set once by each transport's constructor (the streams core needs the transport itself as its DurableLog)
  LocalEventBus local;
  SessionLifecycle<S> sessions;

  /** Pub/sub: at most once, nothing stored. */
  static RedisTransport<?> pubSub(RedisSettings settings, PubSubChannels channels,
                               EngineEvents events) {
    return new PubSubTransport(settings, channels, events);
  }

  /** Streams: a partitioned log with durable groups, replay, delayed delivery and retention. */
  static RedisTransport<?> streams(RedisSettings settings, PubSubChannels channels,
                                EngineEvents events) {
    return new StreamsTransport(settings, channels, events);
  }

  /** The bus's in-process delivery core. */
  final LocalEventBus local() {
    return local;
  }

  final Mono<Void> start() {
    return sessions.start();
  }

  final Mono<Void> stop() {
    return sessions.stop();
  }

  abstract Mono<PublishResult> publish(Event<?> event);

  abstract Mono<PublishResult> publishAt(Event<?> event, Instant deliverAt);

  abstract Mono<Void> resetGroup(String group, String pattern, StartPosition position);

  /** True from a successful connect until the stop closed the connections. */
  final boolean connected() {
    return sessions.session() != null;
  }

  /** Simulates the process dying; see {@link RedisEventBus#halt()}. */
  abstract Mono<Void> halt();

  /** Stops or resumes the group members' lease renewals; see {@link RedisEventBus#freezeLeases}. */
  void freezeLeases(boolean frozen) {
  }
}
