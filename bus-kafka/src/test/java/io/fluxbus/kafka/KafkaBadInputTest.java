package io.fluxbus.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fluxbus.ConfigException;
import io.fluxbus.EngineUnavailableException;
import io.fluxbus.Event;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

@DisplayName("KafkaEventBus refuses bad input with typed errors naming the value")
class KafkaBadInputTest {

  @Test
  @DisplayName("a broker that does not answer fails start() with EngineUnavailableException naming the address")
  void anUnreachableBrokerFailsStart() {
    KafkaEventBus bus = KafkaEventBus.builder().bootstrapServers("127.0.0.1:1").connectTimeout(Duration.ofSeconds(2))
        .sasl("PLAIN", "app", "hunter2").build();
    StepVerifier.create(bus.start())
        .expectErrorSatisfies(error -> assertThat(error).isInstanceOf(EngineUnavailableException.class)
            .hasMessageContaining("127.0.0.1:1").hasMessageNotContaining("hunter2"))
        .verify(Duration.ofSeconds(30));
    assertThat(bus.toString()).contains("state=stopped").doesNotContain("hunter2");
  }

  @Test
  @DisplayName("bootstrapServers that are not host:port are a ConfigException naming them")
  void malformedBootstrapServersAreRefused() {
    assertThatThrownBy(() -> KafkaEventBus.builder().bootstrapServers("kafka:9092;other").build())
        .isInstanceOf(ConfigException.class).hasMessageContaining("'kafka:9092;other'");
  }

  @Test
  @DisplayName("a namespace that cannot name a Kafka topic is a ConfigException naming it")
  void aNamespaceKafkaRefusesIsRefused() {
    assertThatThrownBy(() -> KafkaEventBus.builder().bootstrapServers("127.0.0.1:9092").namespace("a b").build())
        .isInstanceOf(ConfigException.class).hasMessageContaining("'a b'");
    assertThatThrownBy(() -> KafkaEventBus.builder().bootstrapServers("127.0.0.1:9092").namespace("x".repeat(201))
        .build()).isInstanceOf(ConfigException.class).hasMessageContaining("at most 200");
  }

  @Test
  @DisplayName("out-of-range numbers and unknown words name the setting")
  void outOfRangeSettingsNameTheSetting() {
    assertThatThrownBy(() -> KafkaEventBus.builder().bootstrapServers("127.0.0.1:9092").partitions(0).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("partitions");
    assertThatThrownBy(() -> KafkaEventBus.builder().bootstrapServers("127.0.0.1:9092").acks("2").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("acks").hasMessageContaining("'2'");
    assertThatThrownBy(() -> KafkaEventBus.builder().bootstrapServers("127.0.0.1:9092").compression("brotli")
        .build()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'brotli'");
    assertThatThrownBy(() -> KafkaEventBus.builder().bootstrapServers("127.0.0.1:9092")
        .sasl("GSSAPI", "app", "secret").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'GSSAPI'").hasMessageNotContaining("secret");
  }

  @Test
  @DisplayName("delayed delivery is refused with a typed error naming the capability")
  void delayedDeliveryIsRefused() {
    KafkaEventBus bus = KafkaEventBus.builder().bootstrapServers("127.0.0.1:9092").build();
    StepVerifier.create(bus.publishAt(Event.of("order.placed", 1), Instant.now().plusSeconds(5)))
        .expectErrorSatisfies(error -> assertThat(error).isInstanceOfSatisfying(CapabilityNotSupportedException.class,
            refused -> assertThat(refused.capability()).isEqualTo("delayed delivery"))
            .hasMessageContaining("order.placed"))
        .verify(Duration.ofSeconds(5));
  }
}
