package io.fluxbus.kafka;

import io.fluxbus.EventBus;
import io.fluxbus.test.TracingContract;
import io.micrometer.observation.ObservationRegistry;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;

/** The tracing contract on Kafka: the trace context crosses buses as the record's {@code ce_traceparent} header. */
@DisplayName("KafkaEventBus carries the trace context between buses")
class KafkaTracingTest extends TracingContract {

  @Override
  protected EventBus createBus(String log, ObservationRegistry registry) {
    KafkaEventBusBuilder builder = KafkaEventBus.builder()
        .bootstrapServers(KafkaTestServer.bootstrap())
        .namespace(log)
        .partitions(2)
        .linger(Duration.ZERO)
        .pollTimeout(Duration.ofMillis(50))
        .workers(2);
    return (registry == null ? builder : builder.observationRegistry(registry)).build();
  }

  @Override
  protected void deleteLog(String log) {
    KafkaTestServer.deleteTopics(log + ".");
  }
}
