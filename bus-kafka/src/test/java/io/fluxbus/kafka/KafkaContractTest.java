package io.fluxbus.kafka;

import io.fluxbus.EventBus;
import io.fluxbus.test.Capabilities;
import io.fluxbus.test.ContractSettings;
import io.fluxbus.test.EventBusContract;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;

/**
 * The engine contract, with the durable-log promises, run against {@link KafkaEventBus} on a real Kafka broker.
 * Each bus gets a namespace of its own (under this class's prefix), so that the groups and log of one test never
 * meet another's; the topics are deleted after the class.
 */
@DisplayName("KafkaEventBus passes the engine contract")
class KafkaContractTest extends EventBusContract {

  private static final String PREFIX = "contract-" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1);
  private static final AtomicInteger BUSES = new AtomicInteger();

  /** Events reach local subscribers after the broker acknowledged them, on the bus's own thread; a durable log. */
  @Override
  protected Capabilities capabilities() {
    return Capabilities.durable();
  }

  @Override
  protected EventBus createBus(ContractSettings settings) {
    return KafkaEventBus.builder()
        .bootstrapServers(KafkaTestServer.bootstrap())
        .namespace(PREFIX + "-" + BUSES.incrementAndGet())
        // one partition, as the other durable engines' contract runs: the contract checks order across topics
        .partitions(1)
        .linger(Duration.ZERO)
        .sessionTimeout(Duration.ofSeconds(2))
        .pollTimeout(Duration.ofMillis(50))
        .workers(2)
        .bufferSize(settings.bufferSize())
        .deliveryMode(settings.deliveryMode())
        .drainTimeout(settings.drainTimeout())
        .source(settings.source())
        .build();
  }

  @AfterAll
  static void deleteTopics() {
    KafkaTestServer.deleteTopics(PREFIX);
  }
}
