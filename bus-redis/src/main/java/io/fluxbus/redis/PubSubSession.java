package io.fluxbus.redis;

import io.fluxbus.LifecycleEvent;
import io.fluxbus.internal.log.EngineEvents;
import io.fluxbus.internal.log.EngineSession;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import reactor.core.Disposable;
import reactor.core.publisher.BufferOverflowStrategy;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * One connected period of a bus in pub/sub mode, from {@code start()} to {@code stop()}: a command connection for
 * {@code PUBLISH}, a dedicated pub/sub connection holding the bus's one pattern subscription, and the receive loop
 * that feeds the core. Lettuce re-issues the pattern subscription after a reconnect; events published meanwhile
 * are missed (pub/sub keeps nothing), which the lifecycle report of the pub/sub connection says.
 */
final class PubSubSession implements EngineSession {

  static final RedisConnections.Role COMMANDS = new RedisConnections.Role("commands", "command",
      "publishes fail with EngineUnavailableException until it is back");
  static final RedisConnections.Role PUBSUB = new RedisConnections.Role("pubsub", "pub/sub",
      "events other processes publish until it is back are missed; Lettuce re-subscribes the pattern");

  private final RedisSettings settings;
  private final RedisConnections connections;
  private final Scheduler inbound;
  private final EngineEvents events;
  private volatile StatefulRedisConnection<String, byte[]> commands;
  private volatile Disposable receiving;

  /** The thread received events are handed to local subscribers on; pub/sub has no timers of its own. */
  @Override
  public Scheduler timers() {
    return inbound;
  }

  private PubSubSession(RedisSettings settings, RedisConnections connections, EngineEvents events) {
    this.settings = settings;
    this.connections = connections;
    this.events = events;
    this.inbound = Schedulers.newSingle("fluxbus-" + settings.engine() + "-inbound", true);
  }

  /**
   * Connects both connections, starts receiving and subscribes the pattern; completes once Redis confirmed the
   * subscription, so that every event published after that reaches this bus.
   *
   * @return the open session, or an {@link io.fluxbus.EngineUnavailableException} naming the address (never the
   *     password), after everything opened so far has been released
   */
  static Mono<PubSubSession> open(RedisSettings settings, PubSubChannels channels, PubSubReceiver receiver,
                                  EngineEvents events) {
    return Mono.defer(() -> {
      RedisConnections connections = new RedisConnections(settings, channels, events);
      PubSubSession session = new PubSubSession(settings, connections, events);
      return session.connect(channels, receiver)
          .thenReturn(session)
          .onErrorResume(error -> session.close(Duration.ZERO).then(Mono.error(connections.unavailable("connect to", error))));
    });
  }

  private Mono<Void> connect(PubSubChannels channels, PubSubReceiver receiver) {
    return connections.connect(COMMANDS)
        .doOnNext(connection -> commands = connection)
        .then(connections.connectPubSub(PUBSUB))
        .flatMap(connection -> {
          // subscribe to the hot message Flux before PSUBSCRIBE, or the first messages are lost
          receiving = connection.reactive().observePatterns(FluxSink.OverflowStrategy.BUFFER)
              .filter(receiver::accept)
              .onBackpressureBuffer(settings.inboundBufferSize(), receiver::overflowed,
                  BufferOverflowStrategy.DROP_LATEST)
              .publishOn(inbound, 1)
              .concatMap(receiver::deliver, 1)
              // deliver never fails, so only Lettuce can end this; say so rather than stop receiving silently
              .subscribe(null, error -> events.emit(LifecycleEvent.Type.ENGINE_DISCONNECTED, null,
                  "receiving from " + settings.address() + " ended: " + connections.describe(error)
                      + "; restart the bus to receive again"));
          return connection.reactive().psubscribe(channels.pattern());
        })
        .doOnSuccess(ignored -> connections.arm());
  }

  /**
   * Publishes a body on a channel.
   *
   * @return the number of Redis subscribers (this bus's own pattern subscription included) that received it;
   *     an {@link io.fluxbus.EngineUnavailableException} naming the address when Redis is unreachable
   */
  Mono<Long> publish(String channel, byte[] body) {
    return commands.reactive().publish(channel, body)
        .onErrorMap(error -> connections.unavailable("publish to", error));
  }

  /**
   * Stops receiving, closes both connections and releases the client; completes when all is released. Pub/sub keeps
   * nothing to settle, so {@code drain} is not used.
   */
  @Override
  public Mono<Void> close(Duration drain) {
    return Mono.defer(() -> {
      Disposable loop = receiving;
      if (loop != null) {
        loop.dispose();
      }
      return connections.close().doFinally(signal -> inbound.dispose());
    });
  }
}
