package io.fluxbus.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fluxbus.ConfigException;
import io.fluxbus.EventBus;
import io.fluxbus.spi.EngineProvider;
import io.fluxbus.spi.EngineSettings;
import java.time.Duration;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("KafkaEngineProvider builds kafka buses from configuration")
class KafkaEngineProviderTest {

  private static final String PREFIX = "provider-" + System.nanoTime();

  private static EngineProvider provider() {
    return ServiceLoader.load(EngineProvider.class).stream()
        .map(ServiceLoader.Provider::get)
        .filter(p -> p.type().equals("kafka"))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no EngineProvider of type 'kafka' on the class path"));
  }

  @Test
  @DisplayName("the ServiceLoader finds type 'kafka', reads every key, and the bus it builds connects")
  void theServiceLoaderFindsTheKafkaEngine() {
    EventBus bus = provider().create(EngineSettings.of("durable", "orders-service", Map.ofEntries(
        Map.entry("bootstrapServers", KafkaTestServer.bootstrap()), Map.entry("namespace", PREFIX),
        Map.entry("clientId", "orders"), Map.entry("partitions", 3), Map.entry("replicationFactor", 1),
        Map.entry("createTopics", true), Map.entry("acks", "all"), Map.entry("linger", "1ms"),
        Map.entry("batchSize", 32768), Map.entry("compression", "lz4"), Map.entry("pollTimeout", "50ms"),
        Map.entry("maxPollRecords", 100), Map.entry("sessionTimeout", "6s"), Map.entry("connectTimeout", "5s"),
        Map.entry("retention", "7d"), Map.entry("bufferSize", 64), Map.entry("workers", 1),
        Map.entry("drainTimeout", "2s"))));

    assertThat(bus).isInstanceOf(KafkaEventBus.class);
    assertThat(bus.toString()).contains("engine=durable").contains("namespace=" + PREFIX);
    bus.start().block(Duration.ofSeconds(20));
    try {
      assertThat(bus.publish("order.placed", 1).block(Duration.ofSeconds(10)).delivered()).isZero();
      try (var admin = KafkaTestServer.admin()) {
        var config = admin.describeConfigs(java.util.List.of(new org.apache.kafka.common.config.ConfigResource(
            org.apache.kafka.common.config.ConfigResource.Type.TOPIC, PREFIX + ".log"))).all().get().values()
            .iterator().next();
        assertThat(config.get("retention.ms").value()).as("retention of the created topic")
            .isEqualTo(Long.toString(Duration.ofDays(7).toMillis()));
        assertThat(admin.describeTopics(java.util.List.of(PREFIX + ".log")).allTopicNames().get()
            .get(PREFIX + ".log").partitions()).hasSize(3);
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    } finally {
      bus.stop().block(Duration.ofSeconds(10));
      KafkaTestServer.deleteTopics(PREFIX);
    }
  }

  @Test
  @DisplayName("an unknown key is a ConfigException naming it and the closest known key")
  void anUnknownKeyIsRejected() {
    assertThatThrownBy(() -> provider().create(EngineSettings.of("durable", null,
        Map.of("bootstrapServers", "127.0.0.1:9092", "namespce", "x"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'namespce'")
        .hasMessageContaining("did you mean 'namespace'");
  }

  @Test
  @DisplayName("a missing or malformed bootstrapServers is a ConfigException naming the key and the value")
  void bootstrapServersIsRequiredAndChecked() {
    assertThatThrownBy(() -> provider().create(EngineSettings.of("durable", null, Map.of())))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'bootstrapServers'");
    assertThatThrownBy(() -> provider().create(EngineSettings.of("durable", null,
        Map.of("bootstrapServers", "localhost"))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'bootstrapServers'").hasMessageContaining("'localhost'");
  }

  @Test
  @DisplayName("wrong types and words name the key and the value")
  void wrongTypesAreRejected() {
    assertThatThrownBy(() -> provider().create(EngineSettings.of("durable", null,
        Map.of("bootstrapServers", "127.0.0.1:9092", "partitions", "many"))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'partitions'").hasMessageContaining("many");
    assertThatThrownBy(() -> provider().create(EngineSettings.of("durable", null,
        Map.of("bootstrapServers", "127.0.0.1:9092", "acks", "some"))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'acks'").hasMessageContaining("some");
    assertThatThrownBy(() -> provider().create(EngineSettings.of("durable", null,
        Map.of("bootstrapServers", "127.0.0.1:9092", "linger", 5))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'linger'");
    assertThatThrownBy(() -> provider().create(EngineSettings.of("durable", null,
        Map.of("bootstrapServers", "127.0.0.1:9092", "createTopics", "maybe"))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'createTopics'");
  }

  @Test
  @DisplayName("a namespace Kafka refuses as a topic name is a ConfigException naming it")
  void aNamespaceKafkaRefusesIsRejected() {
    assertThatThrownBy(() -> provider().create(EngineSettings.of("durable", null,
        Map.of("bootstrapServers", "127.0.0.1:9092", "namespace", "orders:eu"))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'namespace'").hasMessageContaining("'orders:eu'");
  }

  @Test
  @DisplayName("SASL needs username and password, and the password appears in no message and no toString")
  void saslPasswordsAreNeverPrinted() {
    assertThatThrownBy(() -> provider().create(EngineSettings.of("durable", null,
        Map.of("bootstrapServers", "127.0.0.1:9092", "saslMechanism", "scram-sha-512", "username", "app"))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'password'");
    EventBus bus = provider().create(EngineSettings.of("durable", null, Map.of("bootstrapServers",
        "127.0.0.1:9092", "saslMechanism", "plain", "username", "app", "password", "hunter2")));
    assertThat(bus.toString()).contains("SASL_PLAINTEXT").contains("PLAIN").contains("'app'")
        .doesNotContain("hunter2");
  }
}
