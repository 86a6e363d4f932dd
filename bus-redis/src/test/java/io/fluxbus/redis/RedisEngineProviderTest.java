package io.fluxbus.redis;

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

@DisplayName("RedisEngineProvider builds redis buses from configuration")
class RedisEngineProviderTest {

  private static EngineProvider provider() {
    return ServiceLoader.load(EngineProvider.class).stream()
        .map(ServiceLoader.Provider::get)
        .filter(p -> p.type().equals("redis"))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no EngineProvider of type 'redis' on the class path"));
  }

  @Test
  @DisplayName("the ServiceLoader finds type 'redis', and the bus it builds connects")
  void theServiceLoaderFindsTheRedisEngine() {
    EventBus bus = provider().create(EngineSettings.of("durable", "orders-service", Map.of(
        "url", RedisTestServer.url(), "mode", "pubsub", "namespace", "provider-test", "bufferSize", 64,
        "workers", 1, "deliveryMode", "timeout", "publishBlockTimeout", "250ms", "drainTimeout", "2s",
        "inboundBufferSize", 100)));

    assertThat(bus).isInstanceOf(RedisEventBus.class);
    assertThat(bus.toString()).contains("engine=durable").contains("namespace=provider-test");
    bus.start().block(Duration.ofSeconds(10));
    try {
      assertThat(bus.publish("order.placed", 1).block(Duration.ofSeconds(10)).delivered()).isZero();
    } finally {
      bus.stop().block(Duration.ofSeconds(10));
    }
  }

  @Test
  @DisplayName("an unknown key is a ConfigException naming it and the closest known key")
  void anUnknownKeyIsRejected() {
    assertThatThrownBy(() -> provider().create(EngineSettings.of("durable", null, Map.of("namespce", "x"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'namespce'")
        .hasMessageContaining("did you mean 'namespace'");
  }

  @Test
  @DisplayName("mode 'streams' reads the streams keys into a streams-mode bus")
  void streamsModeReadsItsKeys() {
    EventBus bus = provider().create(EngineSettings.of("durable", "orders-service", Map.of(
        "url", RedisTestServer.url(), "mode", "streams", "namespace", "provider-streams", "partitions", 4,
        "retention", "7d", "maxLen", 100000, "blockTimeout", "500ms", "claimIdle", "10s", "readCount", 50)));

    assertThat(bus).isInstanceOfSatisfying(RedisEventBus.class,
        redis -> assertThat(redis.mode()).isEqualTo(RedisEventBus.Mode.STREAMS));
    assertThat(bus.toString()).contains("mode=streams");
  }

  @Test
  @DisplayName("an unknown mode is named as invalid, and a streams key in pub/sub mode is refused")
  void invalidModesAndMisplacedKeysAreRejected() {
    assertThatThrownBy(() -> provider().create(EngineSettings.of("durable", null, Map.of("mode", "kafka"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'mode'")
        .hasMessageContaining("kafka");
    assertThatThrownBy(() -> provider().create(EngineSettings.of("durable", null,
        Map.of("mode", "pubsub", "partitions", 4))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'partitions'")
        .hasMessageContaining("mode 'streams' only");
    assertThatThrownBy(() -> provider().create(EngineSettings.of("durable", null,
        Map.of("mode", "streams", "claimIdle", "10ms"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("claimIdle must be at least 100ms");
  }

  @Test
  @DisplayName("a bad url or namespace is a ConfigException that masks the password")
  void aBadUrlIsRejectedWithoutThePassword() {
    assertThatThrownBy(() -> provider().create(EngineSettings.of("durable", null,
        Map.of("url", "tcp://app:hunter2@localhost"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("engine 'durable'")
        .hasMessageNotContaining("hunter2");
    assertThatThrownBy(() -> provider().create(EngineSettings.of("durable", null, Map.of("namespace", "a:b"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'a:b'");
  }
}
