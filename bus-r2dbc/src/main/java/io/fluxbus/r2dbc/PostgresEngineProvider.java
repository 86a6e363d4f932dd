package io.fluxbus.r2dbc;

import io.fluxbus.EventBus;
import io.fluxbus.spi.EngineProvider;
import io.fluxbus.spi.EngineSettings;
import java.util.List;

/**
 * The {@code postgres} engine type for configuration files. Keys: {@code url} (required), {@code user},
 * {@code password}, {@code sslMode}, {@code schema} ({@code fluxbus}), {@code poolInitialSize}, {@code poolMaxSize},
 * {@code pollInterval}, {@code batchSize}, {@code retention}, and the core's {@code bufferSize}, {@code workers}, {@code deliveryMode},
 * {@code publishBlockTimeout}, {@code drainTimeout}.
 */
public final class PostgresEngineProvider implements EngineProvider {

  private static final List<String> SSL_MODES =
      List.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full");

  @Override
  public String type() {
    return PostgresEventBus.TYPE;
  }

  @Override
  public EventBus create(EngineSettings settings) {
    String url = settings.string("url").orElseThrow(() -> new io.fluxbus.ConfigException("engine '"
        + settings.engineName() + "' of type postgres needs 'url', e.g. r2dbc:postgresql://host:5432/database"));
    PostgresEventBus.Builder builder = PostgresEventBus.builder(url).readLocal(settings);
    settings.string("user").ifPresent(builder::user);
    settings.string("password").ifPresent(builder::password);
    settings.oneOf("sslMode", SSL_MODES).ifPresent(builder::sslMode);
    settings.string("schema").ifPresent(schema -> {
      try {
        builder.schema(schema);
      } catch (io.fluxbus.ConfigException e) {
        throw new io.fluxbus.ConfigException("engine '" + settings.engineName() + "', key 'schema': "
            + e.getMessage());
      }
    });
    settings.positiveInt("poolInitialSize").ifPresent(builder::poolInitialSize);
    settings.positiveInt("poolMaxSize").ifPresent(builder::poolMaxSize);
    settings.duration("pollInterval").ifPresent(builder::pollInterval);
    settings.positiveInt("batchSize").ifPresent(builder::batchSize);
    settings.duration("retention").ifPresent(builder::retention);
    settings.requireAllRead();
    return builder.build();
  }
}
