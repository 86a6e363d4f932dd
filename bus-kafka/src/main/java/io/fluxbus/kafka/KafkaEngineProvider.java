package io.fluxbus.kafka;

import io.fluxbus.ConfigException;
import io.fluxbus.EventBus;
import io.fluxbus.spi.EngineProvider;
import io.fluxbus.spi.EngineSettings;
import java.nio.file.Path;

/**
 * The {@code kafka} engine type for configuration files. Keys: {@code bootstrapServers} (required,
 * {@code host:port[,host:port…]}), {@code clientId} ({@code fluxbus}), {@code namespace} ({@code fluxbus}),
 * {@code partitions} (6), {@code replicationFactor} (1), {@code createTopics} (true), {@code acks} ({@code all}),
 * {@code linger} (5ms), {@code batchSize} (65536), {@code compression} ({@code none}), {@code tls} (false),
 * {@code saslMechanism} ({@code PLAIN}, {@code SCRAM-SHA-256}, {@code SCRAM-SHA-512}) with {@code username} and
 * {@code password}, {@code trustStore} (a file; implies TLS) with {@code trustStorePassword} and
 * {@code trustStoreType}, {@code pollTimeout} (100ms), {@code maxPollRecords} (500), {@code sessionTimeout} (10s),
 * {@code maxPollInterval} (5m),
 * {@code connectTimeout} (10s), {@code retention} (the broker's), {@code source} (overrides the configuration's
 * top-level {@code source}), and the core's {@code bufferSize}, {@code workers}, {@code deliveryMode},
 * {@code publishBlockTimeout}, {@code drainTimeout}. Stateless and thread-safe.
 */
public final class KafkaEngineProvider implements EngineProvider {

  @Override
  public String type() {
    return KafkaEventBus.TYPE;
  }

  /**
   * Creates a bus, not yet started; nothing connects here.
   *
   * @throws ConfigException naming where the key is, the engine and the key, for a missing
   *     {@code bootstrapServers}, an invalid value, an unknown key, or SASL without credentials; never a password
   */
  @Override
  public EventBus create(EngineSettings settings) {
    String servers = settings.string("bootstrapServers").orElseThrow(() -> settings.error("bootstrapServers",
        "is required for type kafka, e.g. 127.0.0.1:9092"));
    KafkaEventBusBuilder builder = KafkaEventBus.builder().readLocal(settings);
    try {
      builder.bootstrapServers(KafkaSettings.requireServers(servers));
    } catch (ConfigException e) {
      throw settings.error("bootstrapServers", e.getMessage());
    }
    settings.string("source").ifPresent(builder::source);
    settings.string("clientId").ifPresent(builder::clientId);
    settings.string("namespace").ifPresent(namespace -> {
      try {
        builder.namespace(KafkaSettings.requireNamespace(namespace));
      } catch (ConfigException e) {
        throw settings.error("namespace", e.getMessage());
      }
    });
    settings.positiveInt("partitions").ifPresent(builder::partitions);
    settings.positiveInt("replicationFactor").ifPresent(factor -> {
      if (factor > Short.MAX_VALUE) {
        throw settings.error("replicationFactor", "must be at most " + Short.MAX_VALUE + ", got " + factor);
      }
      builder.replicationFactor(factor);
    });
    settings.bool("createTopics").ifPresent(builder::createTopics);
    settings.oneOf("acks", KafkaSettings.ACKS).ifPresent(builder::acks);
    settings.duration("linger").ifPresent(builder::linger);
    settings.positiveInt("batchSize").ifPresent(builder::batchSize);
    settings.oneOf("compression", KafkaSettings.COMPRESSIONS).ifPresent(builder::compression);
    settings.bool("tls").ifPresent(builder::tls);
    java.util.Optional<String> mechanism = settings.oneOf("saslMechanism",
        KafkaSecurity.MECHANISMS.stream().map(m -> m.toLowerCase(java.util.Locale.ROOT)).toList());
    java.util.Optional<String> username = settings.string("username");
    java.util.Optional<String> password = settings.string("password");
    if (mechanism.isPresent()) {
      builder.sasl(mechanism.get(), username.orElseThrow(() -> settings.error("username",
          "is required with saslMechanism " + mechanism.get())), password.orElseThrow(() -> settings.error(
          "password", "is required with saslMechanism " + mechanism.get())));
    } else if (username.isPresent() || password.isPresent()) {
      throw settings.error(username.isPresent() ? "username" : "password",
          "needs saslMechanism (PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512)");
    }
    java.util.Optional<String> trustStorePassword = settings.string("trustStorePassword");
    java.util.Optional<String> trustStoreType = settings.oneOf("trustStoreType",
        java.util.List.of("jks", "pkcs12", "pem")).map(type -> type.toUpperCase(java.util.Locale.ROOT));
    settings.string("trustStore").ifPresent(file -> builder.trustStore(Path.of(file),
        trustStorePassword.orElse(null), trustStoreType.orElse(null)));
    settings.duration("pollTimeout").ifPresent(builder::pollTimeout);
    settings.positiveInt("maxPollRecords").ifPresent(builder::maxPollRecords);
    settings.duration("sessionTimeout").ifPresent(builder::sessionTimeout);
    settings.duration("maxPollInterval").ifPresent(builder::maxPollInterval);
    settings.duration("connectTimeout").ifPresent(builder::connectTimeout);
    settings.duration("retention").ifPresent(builder::retention);
    settings.requireAllRead();
    try {
      return builder.build();
    } catch (IllegalArgumentException e) {
      throw new ConfigException("engine '" + settings.engineName() + "': " + e.getMessage(), e);
    }
  }
}
