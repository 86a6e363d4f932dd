package io.fluxbus.redis;

import io.fluxbus.ConfigException;
import io.fluxbus.EventBus;
import io.fluxbus.spi.EngineProvider;
import io.fluxbus.spi.EngineSettings;
import java.util.List;
import java.util.Locale;

/**
 * The {@code redis} engine type for configuration files. Keys: {@code url} ({@code redis://} or {@code rediss://},
 * with optional {@code user:password@}), {@code trustedCertificates} (a PEM file for {@code rediss://}), {@code mode}
 * ({@code pubsub} | {@code streams}), {@code namespace}, {@code reconnectDelay} (the longest wait between reconnect
 * attempts, 1 s), {@code inboundBufferSize} (pub/sub); {@code partitions}, {@code retention}, {@code maxLen},
 * {@code blockTimeout}, {@code claimIdle}, {@code readCount} (streams); and those of the in-process core:
 * {@code bufferSize}, {@code workers}, {@code deliveryMode} ({@code drop} | {@code block} | {@code timeout}),
 * {@code publishBlockTimeout}, {@code drainTimeout}. The source comes from the configuration's top-level
 * {@code source}. Stateless and thread-safe.
 */
public final class RedisEngineProvider implements EngineProvider {

  private static final List<String> MODES = List.of("pubsub", "streams");
  private static final List<String> STREAMS_KEYS =
      List.of("partitions", "retention", "maxLen", "blockTimeout", "claimIdle", "readCount");

  @Override
  public String type() {
    return RedisEventBus.TYPE;
  }

  /**
   * Creates a bus, not yet started; nothing connects here.
   *
   * @throws ConfigException naming the engine and key for an invalid or unknown setting, a url Lettuce cannot
   *     parse (shown with its password masked), or a streams key in pub/sub mode
   */
  @Override
  public EventBus create(EngineSettings settings) {
    RedisEventBus.Builder builder = RedisEventBus.builder().readLocal(settings);
    settings.string("url").ifPresent(builder::url);
    String mode = settings.oneOf("mode", MODES).orElse("pubsub");
    builder.mode(RedisEventBus.Mode.valueOf(mode.toUpperCase(Locale.ROOT)));
    settings.string("namespace").ifPresent(builder::namespace);
    settings.string("trustedCertificates").map(java.nio.file.Path::of).ifPresent(builder::trustedCertificates);
    settings.positiveInt("inboundBufferSize").ifPresent(builder::inboundBufferSize);
    settings.duration("reconnectDelay").ifPresent(builder::reconnectDelay);
    if (mode.equals("pubsub")) {
      for (String key : STREAMS_KEYS) {
        if (settings.has(key)) {
          throw settings.error(key, "applies to mode 'streams' only; this engine has mode 'pubsub', which stores "
              + "nothing");
        }
      }
    } else {
      settings.positiveInt("partitions").ifPresent(builder::partitions);
      settings.duration("retention").ifPresent(builder::retention);
      settings.positiveInt("maxLen").ifPresent(builder::maxLen);
      settings.duration("blockTimeout").ifPresent(builder::blockTimeout);
      settings.duration("claimIdle").ifPresent(builder::claimIdle);
      settings.positiveInt("readCount").ifPresent(builder::readCount);
    }
    settings.requireAllRead();
    try {
      return builder.build();
    } catch (IllegalArgumentException e) {
      throw new ConfigException("engine '" + settings.engineName() + "': " + e.getMessage(), e);
    }
  }
}
