package io.fluxbus.redis;

import io.fluxbus.ConfigException;
import io.fluxbus.EventBus;
import io.fluxbus.spi.EngineProvider;
import io.fluxbus.spi.EngineSettings;
import java.util.List;

/**
 * The {@code redis} engine type for configuration files. Keys: {@code url} ({@code redis://} or {@code rediss://},
 * with optional {@code user:password@}), {@code mode} ({@code pubsub}; {@code streams} is not available yet),
 * {@code namespace}, {@code inboundBufferSize}, and those of the in-process core: {@code bufferSize},
 * {@code workers}, {@code deliveryMode} ({@code drop} | {@code block} | {@code timeout}),
 * {@code publishBlockTimeout}, {@code drainTimeout}. The source comes from the configuration's top-level
 * {@code source}. Stateless and thread-safe.
 */
public final class RedisEngineProvider implements EngineProvider {

  private static final List<String> MODES = List.of("pubsub", "streams");

  @Override
  public String type() {
    return RedisEventBus.TYPE;
  }

  /**
   * Creates a bus, not yet started; nothing connects here.
   *
   * @throws ConfigException naming the engine and key for an invalid or unknown setting, a url Lettuce cannot
   *     parse (shown with its password masked), or {@code mode: streams}
   */
  @Override
  public EventBus create(EngineSettings settings) {
    RedisEventBus.Builder builder = RedisEventBus.builder().readLocal(settings);
    settings.string("url").ifPresent(builder::url);
    String mode = settings.oneOf("mode", MODES).orElse("pubsub");
    settings.string("namespace").ifPresent(builder::namespace);
    settings.positiveInt("inboundBufferSize").ifPresent(builder::inboundBufferSize);
    settings.requireAllRead();
    if (mode.equals("streams")) {
      throw new ConfigException("engine '" + settings.engineName() + "' key 'mode': 'streams' is not available "
          + "in this version of bus-redis; use 'pubsub'");
    }
    try {
      return builder.build();
    } catch (IllegalArgumentException e) {
      throw new ConfigException("engine '" + settings.engineName() + "': " + e.getMessage(), e);
    }
  }
}
