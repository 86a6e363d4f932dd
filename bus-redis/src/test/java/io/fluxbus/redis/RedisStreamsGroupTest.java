package io.fluxbus.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;


import io.fluxbus.SubscribeOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.publisher.Mono;

/**
 * What durable groups do in Redis beyond the shared-log contract ({@link RedisSharedLogTest}): the Redis consumer
 * groups they leave behind.
 */
@DisplayName("RedisEventBus (streams) groups keep Redis tidy")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RedisStreamsGroupTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final String PREFIX = "groups-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
  private static final AtomicInteger NAMESPACES = new AtomicInteger();

  private final String namespace = PREFIX + "-" + NAMESPACES.incrementAndGet();
  private final List<RedisEventBus> buses = new ArrayList<>();

  @AfterEach
  void stopBuses() {
    buses.forEach(bus -> bus.stop().block(WAIT));
  }

  @AfterAll
  static void deleteKeys() {
    try (RedisAdmin admin = new RedisAdmin()) {
      admin.deleteKeys("{" + PREFIX + "-*");
    }
  }

  private RedisEventBus started(int partitions) {
    RedisEventBus bus = RedisEventBus.builder()
        .url(RedisTestServer.url())
        .mode(RedisEventBus.Mode.STREAMS)
        .namespace(namespace)
        .partitions(partitions)
        .blockTimeout(Duration.ofMillis(100))
        .claimIdle(Duration.ofMillis(600))
        .drainTimeout(Duration.ofMillis(500))
        .workers(2)
        .build();
    buses.add(bus);
    bus.start().block(WAIT);
    return bus;
  }

  @Test
  @DisplayName("consumers of buses gone for ten leases, with nothing pending, are removed when a member takes over")
  void idleConsumersOfGoneBusesAreForgotten() {
    RedisEventBus first = started(1);
    first.subscribe("order.placed", SubscribeOptions.defaults().group("billing"), event -> Mono.empty()).block(WAIT);
    String log = "{" + namespace + "}:log:0";
    String group = StreamGroup.redisGroup("billing", "order.placed");
    try (RedisAdmin admin = new RedisAdmin()) {
      admin.commands().xgroupCreateconsumer(log, io.lettuce.core.Consumer.from(group, "gone-long-ago"));
      first.stop().block(WAIT);
      // ten leases of 600 ms
      await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> consumers(admin, log, group).isEmpty()
          || idleMillis(admin, log, group, "gone-long-ago") > 6_500);

      RedisEventBus next = started(1);
      next.subscribe("order.placed", SubscribeOptions.defaults().group("billing"), event -> Mono.empty()).block(WAIT);
      next.publish("order.placed", "wake").block(WAIT);

      await().atMost(WAIT).untilAsserted(() -> assertThat(consumers(admin, log, group))
          .doesNotContain("gone-long-ago").contains(next.origin()));
    }
  }

  private static List<String> consumers(RedisAdmin admin, String log, String group) {
    return admin.commands().xinfoConsumers(log, group).stream()
        .map(info -> (List<?>) info)
        .map(fields -> String.valueOf(fields.get(fields.indexOf("name") + 1)))
        .toList();
  }

  private static long idleMillis(RedisAdmin admin, String log, String group, String consumer) {
    return admin.commands().xinfoConsumers(log, group).stream()
        .map(info -> (List<?>) info)
        .filter(fields -> consumer.equals(String.valueOf(fields.get(fields.indexOf("name") + 1))))
        .mapToLong(fields -> ((Number) fields.get(fields.indexOf("idle") + 1)).longValue())
        .findFirst().orElse(Long.MAX_VALUE);
  }
}
