package io.fluxbus.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The Kafka broker for tests")
class KafkaTestServerTest {

  @Test
  @DisplayName("answers at the address chosen for the run")
  void answers() {
    assertThat(KafkaTestServer.ping(KafkaTestServer.bootstrap(), Duration.ofSeconds(10))).isNull();
  }
}
