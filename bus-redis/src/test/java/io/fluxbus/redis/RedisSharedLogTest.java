package io.fluxbus.redis;

import io.fluxbus.DurableEventBus;
import io.fluxbus.test.SharedLogContract;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;

/**
 * The shared-log contract on Redis streams: each bus on connections of its own, every bus of a test in one
 * namespace.
 */
@DisplayName("RedisEventBus (streams) shares its log between buses")
class RedisSharedLogTest extends SharedLogContract {

  @Override
  protected DurableEventBus createBus(String log, SharedLogSettings settings) {
    return RedisEventBus.builder()
        .url(RedisTestServer.url())
        .mode(RedisEventBus.Mode.STREAMS)
        .namespace(log)
        .partitions(settings.partitions())
        .claimIdle(settings.lease())
        .drainTimeout(settings.drainTimeout())
        .blockTimeout(Duration.ofMillis(100))
        .workers(2)
        .build();
  }

  @Override
  protected void freezeLeases(DurableEventBus bus, boolean frozen) {
    ((RedisEventBus) bus).freezeLeases(frozen);
  }

  @Override
  protected void halt(DurableEventBus bus) {
    ((RedisEventBus) bus).halt().block(Duration.ofSeconds(10));
  }

  @Override
  protected void deleteLog(String log) {
    try (RedisAdmin admin = new RedisAdmin()) {
      admin.deleteKeys("{" + log + "}*");
    }
  }
}
