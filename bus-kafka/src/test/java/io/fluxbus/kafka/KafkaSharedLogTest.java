package io.fluxbus.kafka;

import io.fluxbus.DurableEventBus;
import io.fluxbus.test.SharedLogContract;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;

/**
 * The shared-log contract on Kafka: each bus with clients of its own, every bus of a test on one namespace. A group
 * member's "lease" is its Kafka session timeout.
 */
@DisplayName("KafkaEventBus shares its log between buses")
class KafkaSharedLogTest extends SharedLogContract {

  @Override
  protected DurableEventBus createBus(String log, SharedLogSettings settings) {
    return KafkaEventBus.builder()
        .bootstrapServers(KafkaTestServer.bootstrap())
        .namespace(log)
        .partitions(settings.partitions())
        .sessionTimeout(settings.lease())
        .maxPollInterval(settings.lease())
        .drainTimeout(settings.drainTimeout())
        .linger(Duration.ZERO)
        .pollTimeout(Duration.ofMillis(50))
        .workers(2)
        .build();
  }

  @Override
  protected void freezeLeases(DurableEventBus bus, boolean frozen) {
    ((KafkaEventBus) bus).freezeLeases(frozen);
  }

  @Override
  protected void halt(DurableEventBus bus) {
    ((KafkaEventBus) bus).halt().block(Duration.ofSeconds(10));
  }

  @Override
  protected void deleteLog(String log) {
    KafkaTestServer.deleteTopics(log + ".");
  }
}
