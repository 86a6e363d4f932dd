package io.fluxbus.redis;

import io.fluxbus.EventBus;
import io.fluxbus.test.TracingContract;
import io.micrometer.observation.ObservationRegistry;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;

/** The tracing contract on Redis streams: the trace context crosses buses in the stream entry's envelope. */
@DisplayName("RedisEventBus (streams) carries the trace context between buses")
class RedisTracingTest extends TracingContract {

  @Override
  protected EventBus createBus(String log, ObservationRegistry registry) {
    RedisEventBus.Builder builder = RedisEventBus.builder()
        .url(RedisTestServer.url())
        .mode(RedisEventBus.Mode.STREAMS)
        .namespace(log)
        .blockTimeout(Duration.ofMillis(100))
        .workers(2);
    return (registry == null ? builder : builder.observationRegistry(registry)).build();
  }

  @Override
  protected void deleteLog(String log) {
    try (RedisAdmin admin = new RedisAdmin()) {
      admin.deleteKeys("{" + log + "}*");
    }
  }
}
