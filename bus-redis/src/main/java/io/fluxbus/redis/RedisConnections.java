package io.fluxbus.redis;

import io.fluxbus.EngineUnavailableException;
import io.fluxbus.LifecycleEvent;
import io.fluxbus.internal.log.EngineEvents;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.resource.Delay;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The Lettuce client of one connected period of a bus and the connections it opened, each named
 * {@code fluxbus:<namespace>:<origin>:<role>} in {@code CLIENT LIST}. Lettuce reconnects every connection on its
 * own. With {@code REJECT_COMMANDS}, commands issued while disconnected fail at once instead of queueing without
 * bound, and with a replay filter that matches every command, commands in flight when a connection drops fail rather
 * than being sent again after the reconnect (Lettuce's default), so a write is sent at most once (its caller may see
 * an error for a write Redis did apply) and a lost read reply always surfaces as an error. A lost and regained
 * connection is reported on {@code lifecycle()} as {@code ENGINE_DISCONNECTED} / {@code ENGINE_RECONNECTED}, with
 * what the loss means for that connection's role. Thread-safe.
 */
final class RedisConnections {

  /** Keys, channels and field names as UTF-8 strings, values as the codec's bytes. */
  static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

  private final RedisSettings settings;
  private final PubSubChannels names;
  private final ClientResources ownResources;
  private final RedisClient client;
  private final EngineEvents events;
  private final Map<Object, Role> roles = new ConcurrentHashMap<>();
  private final Scheduler completions;
  private volatile boolean armed;

  /**
   * What a connection is for.
   *
   * @param name the last part of its client name, e.g. {@code commands}
   * @param label how lifecycle reports call it, e.g. {@code command}
   * @param whileDown what its loss means, for the lifecycle report
   */
  record Role(String name, String label, String whileDown) {}

  RedisConnections(RedisSettings settings, PubSubChannels names, EngineEvents events) {
    this.settings = settings;
    this.names = names;
    this.events = events;
    this.ownResources = settings.clientResources() == null
        ? DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2)
            // Lettuce's default doubles up to 30 s, so an outage of T seconds could cost up to about 2T more
            .reconnectDelay(Delay.equalJitter(firstReconnect(settings.reconnectDelay()), settings.reconnectDelay(),
                100, TimeUnit.MILLISECONDS))
            .build()
        : null;
    this.client = RedisClient.create(ownResources != null ? ownResources : settings.clientResources(),
        settings.address().uri());
    ClientOptions.Builder options = ClientOptions.builder();
    if (settings.trustedCertificates() != null) {
      options.sslOptions(SslOptions.builder().trustManager(settings.trustedCertificates().toFile()).build());
    }
    this.client.setOptions(options
        .autoReconnect(true)
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        // nothing is sent again after a reconnect: a replayed XADD or PUBLISH could duplicate, and a replayed
        // XREADGROUP would hide the entries its lost first reply left pending; the caller sees the error instead
        .replayFilter(command -> true)
        // completions leave Lettuce's I/O threads, so user code after a command never runs on one
        .publishOnScheduler(true)
        .build());
    this.client.addListener(new Watcher());
    this.completions = Schedulers.fromExecutor(this.client.getResources().eventExecutorGroup());
  }

  /** The shortest wait before a reconnect attempt: 50 ms, or half the longest when that is shorter. */
  private static Duration firstReconnect(Duration longest) {
    Duration half = longest.dividedBy(2);
    return half.compareTo(Duration.ofMillis(50)) < 0 ? half : Duration.ofMillis(50);
  }

  /**
   * Lettuce's computation threads as a scheduler: where results of the asynchronous API are handed on, as
   * {@code publishOnScheduler} does for the reactive one, so that no user code runs on an I/O thread.
   */
  Scheduler completions() {
    return completions;
  }

  /** Opens a command connection for {@code role}. */
  Mono<StatefulRedisConnection<String, byte[]>> connect(Role role) {
    return Mono.fromCompletionStage(() -> client.connectAsync(CODEC, uri(role)))
        .doOnNext(connection -> roles.put(connection, role));
  }

  /** Opens a pub/sub connection for {@code role}. */
  Mono<StatefulRedisPubSubConnection<String, byte[]>> connectPubSub(Role role) {
    return Mono.fromCompletionStage(() -> client.connectPubSubAsync(CODEC, uri(role)))
        .doOnNext(connection -> roles.put(connection, role));
  }

  /** Closes one connection opened here, before the others (a reader that stops); once, however often asked. */
  Mono<Void> close(StatefulRedisConnection<String, byte[]> connection) {
    return roles.remove(connection) == null ? Mono.empty() : Mono.fromCompletionStage(connection::closeAsync);
  }

  private RedisURI uri(Role role) {
    return RedisURI.builder(settings.address().uri()).withClientName(names.clientName(role.name())).build();
  }

  /** From now on, connection losses are reported (not while connecting). */
  void arm() {
    armed = true;
  }

  /** Closes every connection and releases the client; completes when all is released. */
  Mono<Void> close() {
    return Mono.defer(() -> {
      armed = false;
      Mono<Void> released = Mono.fromCompletionStage(() -> client.shutdownAsync(0, 2, TimeUnit.SECONDS));
      if (ownResources != null) {
        released = released.then(Mono.<Void>create(sink -> ownResources.shutdown(0, 2, TimeUnit.SECONDS)
            .addListener(done -> sink.success())));
      }
      return released;
    });
  }

  /** An error naming the address (never the password), for a failed {@code action} such as "publish to". */
  EngineUnavailableException unavailable(String action, Throwable error) {
    if (error instanceof EngineUnavailableException already) {
      return already;
    }
    RedisAddress address = settings.address();
    return new EngineUnavailableException("Cannot " + action + " Redis at " + address + " for engine '"
        + settings.engine() + "': " + address.redact(rootMessage(error)) + "; check that the server runs, is "
        + "reachable and accepts the credentials of the url", error);
  }

  /** The error's message with its cause's, the password masked. */
  String describe(Throwable error) {
    return settings.address().redact(rootMessage(error));
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

  /** Turns Lettuce's connection events into lifecycle events, once per loss and role, while armed. */
  private final class Watcher implements RedisConnectionStateListener {

    private final Map<Object, Boolean> down = new ConcurrentHashMap<>();

    @Override
    public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
      Role role = roles.get(connection);
      if (armed && role != null && down.put(connection, Boolean.TRUE) == null) {
        events.emit(LifecycleEvent.Type.ENGINE_DISCONNECTED, null, role.label() + " connection to "
            + settings.address() + " lost; " + role.whileDown());
      }
    }

    @Override
    public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress socketAddress) {
      Role role = roles.get(connection);
      if (armed && role != null && down.remove(connection) != null) {
        events.emit(LifecycleEvent.Type.ENGINE_RECONNECTED, null, role.label() + " connection to "
            + settings.address() + " is back");
      }
    }
  }
}
