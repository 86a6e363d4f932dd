package io.fluxbus.redis;

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
 * The engine contract run against {@link RedisEventBus} in streams mode on a real Redis, with the durable-log
 * promises. Each bus gets a namespace of its own (under this class's prefix), so that groups and logs of one test
 * never meet another's; the keys are deleted after the class.
 */
@DisplayName("RedisEventBus (streams) passes the engine contract")
class RedisStreamsContractTest extends EventBusContract {

  private static final String PREFIX = "contract-streams-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
  private static final AtomicInteger BUSES = new AtomicInteger();

  @Override
  protected EventBus createBus(ContractSettings settings) {
    return RedisEventBus.builder()
        .url(RedisTestServer.url())
        .mode(RedisEventBus.Mode.STREAMS)
        .namespace(PREFIX + "-" + BUSES.incrementAndGet())
        .blockTimeout(Duration.ofMillis(200))
        .claimIdle(Duration.ofSeconds(2))
        .bufferSize(settings.bufferSize())
        .deliveryMode(settings.deliveryMode())
        .drainTimeout(settings.drainTimeout())
        .source(settings.source())
        .workers(2)
        .build();
  }

  @Override
  protected Capabilities capabilities() {
    return Capabilities.durable();
  }

  @AfterAll
  static void deleteKeys() {
    try (RedisAdmin admin = new RedisAdmin()) {
      admin.deleteKeys("{" + PREFIX + "-*");
    }
  }
}
