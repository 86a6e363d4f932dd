package io.fluxbus.redis;

import io.fluxbus.EngineUnavailableException;
import io.fluxbus.LifecycleEvent;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;
import reactor.core.Disposable;
import reactor.core.publisher.BufferOverflowStrategy;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * One connected period of a bus, from {@code start()} to {@code stop()}: the Lettuce client, a command connection
 * for {@code PUBLISH}, a dedicated pub/sub connection holding the bus's one pattern subscription, and the receive
 * loop that feeds the core.
 *
 * <p>Lettuce reconnects both connections on its own and re-issues the pattern subscription. With
 * {@code REJECT_COMMANDS}, commands issued while disconnected fail at once instead of queueing without bound, and
 * commands in flight when the connection drops fail rather than being replayed after the reconnect, so a
 * {@code PUBLISH} is sent at most once (its caller may see an error for a message Redis did deliver). A lost and
 * regained connection is reported on {@code lifecycle()} as {@code ENGINE_DISCONNECTED} / {@code ENGINE_RECONNECTED};
 * for the pub/sub connection the reason says that events published meanwhile were missed (pub/sub keeps nothing).
 */
final class RedisSession {

  /** Channels as UTF-8 strings, bodies as the codec's bytes. */
  private static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

  private final RedisSettings settings;
  private final ClientResources ownResources;
  private final RedisClient client;
  private final Scheduler inbound;
  private final ConnectionWatcher watcher;
  private final EngineEvents events;
  private volatile StatefulRedisConnection<String, byte[]> commands;
  private volatile StatefulRedisPubSubConnection<String, byte[]> pubsub;
  private volatile Disposable receiving;

  private RedisSession(RedisSettings settings, EngineEvents events) {
    this.settings = settings;
    this.ownResources = settings.clientResources() == null
        ? DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2).build()
        : null;
    this.client = RedisClient.create(ownResources != null ? ownResources : settings.clientResources(),
        settings.address().uri());
    this.client.setOptions(ClientOptions.builder()
        .autoReconnect(true)
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        // completions leave Lettuce's I/O threads, so user code after a publish never runs on one
        .publishOnScheduler(true)
        .build());
    this.events = events;
    this.watcher = new ConnectionWatcher(events);
    this.client.addListener(watcher);
    this.inbound = Schedulers.newSingle("fluxbus-" + settings.engine() + "-inbound", true);
  }

  /**
   * Connects both connections, starts receiving and subscribes the pattern; completes once Redis confirmed the
   * subscription, so that every event published after that reaches this bus.
   *
   * @return the open session, or an {@link EngineUnavailableException} naming the address (never the password),
   *     after everything opened so far has been released
   */
  static Mono<RedisSession> open(RedisSettings settings, PubSubChannels channels, PubSubReceiver receiver,
                                 EngineEvents events) {
    return Mono.defer(() -> {
      RedisSession session = new RedisSession(settings, events);
      return session.connect(channels, receiver)
          .thenReturn(session)
          .onErrorResume(error -> session.close().then(Mono.error(session.unavailable("connect to", error))));
    });
  }

  private Mono<Void> connect(PubSubChannels channels, PubSubReceiver receiver) {
    RedisURI commandUri = RedisURI.builder(settings.address().uri())
        .withClientName(channels.clientName("commands")).build();
    RedisURI pubsubUri = RedisURI.builder(settings.address().uri())
        .withClientName(channels.clientName("pubsub")).build();
    return Mono.fromCompletionStage(() -> client.connectAsync(CODEC, commandUri))
        .doOnNext(connection -> commands = connection)
        .then(Mono.fromCompletionStage(() -> client.connectPubSubAsync(CODEC, pubsubUri)))
        .flatMap(connection -> {
          pubsub = connection;
          // subscribe to the hot message Flux before PSUBSCRIBE, or the first messages are lost
          receiving = connection.reactive().observePatterns(FluxSink.OverflowStrategy.BUFFER)
              .filter(receiver::accept)
              .onBackpressureBuffer(settings.inboundBufferSize(), receiver::overflowed,
                  BufferOverflowStrategy.DROP_LATEST)
              .publishOn(inbound, 1)
              .concatMap(receiver::deliver, 1)
              // deliver never fails, so only Lettuce can end this; say so rather than stop receiving silently
              .subscribe(null, error -> events.emit(LifecycleEvent.Type.ENGINE_DISCONNECTED, null,
                  "receiving from " + settings.address() + " ended: "
                      + settings.address().redact(String.valueOf(error.getMessage()))
                      + "; restart the bus to receive again"));
          return connection.reactive().psubscribe(channels.pattern());
        })
        .doOnSuccess(ignored -> watcher.armed = true);
  }

  /**
   * Publishes a body on a channel.
   *
   * @return the number of Redis subscribers (this bus's own pattern subscription included) that received it;
   *     an {@link EngineUnavailableException} naming the address when Redis is unreachable
   */
  Mono<Long> publish(String channel, byte[] body) {
    return commands.reactive().publish(channel, body)
        .onErrorMap(error -> unavailable("publish to", error));
  }

  /** Stops receiving, closes both connections and releases the client; completes when all is released. */
  Mono<Void> close() {
    return Mono.defer(() -> {
      watcher.armed = false;
      Disposable loop = receiving;
      if (loop != null) {
        loop.dispose();
      }
      Mono<Void> released = Mono.fromCompletionStage(() -> client.shutdownAsync(0, 2, TimeUnit.SECONDS));
      if (ownResources != null) {
        released = released.then(Mono.<Void>create(sink -> ownResources.shutdown(0, 2, TimeUnit.SECONDS)
            .addListener(done -> sink.success())));
      }
      return released.doFinally(signal -> inbound.dispose());
    });
  }

  private EngineUnavailableException unavailable(String action, Throwable error) {
    if (error instanceof EngineUnavailableException already) {
      return already;
    }
    RedisAddress address = settings.address();
    return new EngineUnavailableException("Cannot " + action + " Redis at " + address + " for engine '"
        + settings.engine() + "': " + address.redact(rootMessage(error)) + "; check that the server runs, is "
        + "reachable and accepts the credentials of the url", error);
  }

  private static String rootMessage(Throwable error) {
    StringBuilder message = new StringBuilder(String.valueOf(error.getMessage()));
    Throwable cause = error.getCause();
    if (cause != null && cause != error && cause.getMessage() != null
        && !message.toString().contains(cause.getMessage())) {
      message.append(" (").append(cause.getMessage()).append(')');
    }
    return message.toString();
  }

  /**
   * Turns Lettuce's connection events into lifecycle events, once per loss: only after {@code start()} succeeded
   * and before {@code stop()} began, so connecting and closing are not reported.
   */
  private final class ConnectionWatcher implements RedisConnectionStateListener {

    private final EngineEvents events;
    volatile boolean armed;
    private volatile boolean pubsubDown;
    private volatile boolean commandsDown;

    ConnectionWatcher(EngineEvents events) {
      this.events = events;
    }

    @Override
    public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
      if (!armed) {
        return;
      }
      if (connection == pubsub && !pubsubDown) {
        pubsubDown = true;
        events.emit(LifecycleEvent.Type.ENGINE_DISCONNECTED, null, "pub/sub connection to "
            + settings.address() + " lost; events other processes publish until it is back are missed");
      } else if (connection == commands && !commandsDown) {
        commandsDown = true;
        events.emit(LifecycleEvent.Type.ENGINE_DISCONNECTED, null, "command connection to "
            + settings.address() + " lost; publishes fail with EngineUnavailableException until it is back");
      }
    }

    @Override
    public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress socketAddress) {
      if (!armed) {
        return;
      }
      if (connection == pubsub && pubsubDown) {
        pubsubDown = false;
        events.emit(LifecycleEvent.Type.ENGINE_RECONNECTED, null, "pub/sub connection to " + settings.address()
            + " is back; Lettuce re-subscribes the pattern");
      } else if (connection == commands && commandsDown) {
        commandsDown = false;
        events.emit(LifecycleEvent.Type.ENGINE_RECONNECTED, null, "command connection to " + settings.address()
            + " is back");
      }
    }
  }
}
