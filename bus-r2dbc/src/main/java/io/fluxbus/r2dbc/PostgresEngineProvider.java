package io.fluxbus.r2dbc;

import io.fluxbus.ConfigException;
import io.fluxbus.EventBus;
import io.fluxbus.spi.EngineProvider;
import io.fluxbus.spi.EngineSettings;
import java.time.Duration;
import java.util.List;

/**
 * The {@code postgres} engine type for configuration files. Keys: {@code url} (required,
 * {@code r2dbc:postgresql://user[:password]@host[:port]/database}, user and password percent-encoded), {@code user}, {@code password}, {@code sslMode},
 * {@code schema} ({@code fluxbus}), {@code partitions} (1), {@code poolInitialSize} (1), {@code poolMaxSize} (10),
 * {@code appendConnections} (2),
 * {@code pollInterval} (500ms), {@code notifyInterval} (2ms), {@code batchSize} (256), {@code groupLease} (30s), {@code retention} (none),
 * {@code source} (overrides the configuration's top-level {@code source}), and the core's {@code bufferSize},
 * {@code workers}, {@code deliveryMode}, {@code publishBlockTimeout}, {@code drainTimeout}. Stateless and
 * thread-safe.
 */
public final class PostgresEngineProvider implements EngineProvider {

  private static final List<String> SSL_MODES =
      List.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full");

  @Override
  public String type() {
    return PostgresEventBus.TYPE;
  }

  /**
   * Creates a bus, not yet started; nothing connects here.
   *
   * @throws ConfigException naming where the key is, the engine and the key, for a missing {@code url}, an invalid
   *     value, an unknown key, or a combination that cannot work (e.g. {@code poolInitialSize} above
   *     {@code poolMaxSize}); a URL in a message has its password masked
   */
  @Override
  public EventBus create(EngineSettings settings) {
    String url = settings.string("url").orElseThrow(() -> settings.error("url",
        "is required for type postgres, e.g. r2dbc:postgresql://host:5432/database"));
    PostgresEventBusBuilder builder = PostgresEventBus.builder(url).readLocal(settings);
    settings.string("source").ifPresent(builder::source);
    settings.string("user").ifPresent(builder::user);
    settings.string("password").ifPresent(builder::password);
    settings.oneOf("sslMode", SSL_MODES).ifPresent(builder::sslMode);
    settings.string("schema").ifPresent(schema -> {
      try {
        builder.schema(schema);
      } catch (ConfigException e) {
        throw settings.error("schema", e.getMessage());
      }
    });
    settings.positiveInt("partitions").ifPresent(partitions -> {
      if (partitions > PostgresSettings.MAX_PARTITIONS) {
        throw settings.error("partitions", "must be between 1 and " + PostgresSettings.MAX_PARTITIONS + ", got "
            + partitions);
      }
      builder.partitions(partitions);
    });
    int initial = settings.positiveInt("poolInitialSize").orElse(1);
    int max = settings.positiveInt("poolMaxSize").orElse(10);
    if (initial > max) {
      throw settings.error("poolInitialSize", initial + " must not exceed poolMaxSize (" + max + ")");
    }
    builder.poolInitialSize(initial).poolMaxSize(max);
    settings.positiveInt("appendConnections").ifPresent(appends -> {
      if (appends > max) {
        throw settings.error("appendConnections", appends + " must not exceed poolMaxSize (" + max + ")");
      }
      builder.appendConnections(appends);
    });
    Duration pollInterval = settings.duration("pollInterval").orElse(Duration.ofMillis(500));
    builder.pollInterval(pollInterval);
    settings.duration("notifyInterval").ifPresent(notifyInterval -> {
      if (notifyInterval.compareTo(pollInterval) >= 0) {
        throw settings.error("notifyInterval", notifyInterval + " must be shorter than pollInterval (" + pollInterval
            + ")");
      }
      builder.notifyInterval(notifyInterval);
    });
    settings.positiveInt("batchSize").ifPresent(builder::batchSize);
    settings.duration("groupLease").ifPresent(lease -> {
      if (lease.toMillis() < 100) {
        throw settings.error("groupLease", "must be at least 100ms, got " + lease);
      }
      builder.groupLease(lease);
    });
    settings.duration("retention").ifPresent(retention -> {
      if (retention.compareTo(pollInterval) <= 0) {
        throw settings.error("retention", retention + " must be longer than pollInterval (" + pollInterval
            + "): events would be deleted before other buses read them");
      }
      builder.retention(retention);
    });
    settings.requireAllRead();
    try {
      return builder.build();
    } catch (ConfigException badUrl) {
      throw settings.error("url", badUrl.getMessage());
    } catch (IllegalArgumentException e) {
      throw new ConfigException("engine '" + settings.engineName() + "': " + e.getMessage(), e);
    }
  }
}
