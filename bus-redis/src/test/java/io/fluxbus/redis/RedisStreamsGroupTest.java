package io.fluxbus.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;


import io.fluxbus.SubscribeOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * What durable groups do in Redis beyond the shared-log contract ({@link RedisSharedLogTest}): a takeover whose claim
 * fails, a group subscribed again while its last member finishes, and the consumers they leave behind.
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
    String group = GroupMember.redisGroup("billing", "order.placed");
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

  @Test
  @DisplayName("a takeover whose claim fails is claimed again later: the dead member's event is not left behind")
  void aFailedClaimIsRetried() {
    RedisEventBus dying = started(1);
    Sinks.Empty<Void> never = Sinks.empty();
    Queue<String> onDying = new ConcurrentLinkedQueue<>();
    dying.subscribe("order.placed", SubscribeOptions.defaults().group("billing"), event -> {
      onDying.add(event.id());
      return never.asMono();
    }).block(WAIT);
    String inHand = dying.publish("order.placed", "in hand").block(WAIT).eventId();
    await().atMost(WAIT).until(() -> onDying.contains(inHand));
    dying.halt().block(WAIT);
    String user = "claimless-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
    try (RedisAdmin admin = new RedisAdmin()) {
      // a member whose XAUTOCLAIM fails for a while, as over a dropped connection
      admin.commands().aclSetuser(user, io.lettuce.core.AclSetuserArgs.Builder.on().addPassword("pw").allKeys()
          .allChannels().allCommands().removeCommand(io.lettuce.core.protocol.CommandType.XAUTOCLAIM));
      try {
        String url = RedisTestServer.url().replace("redis://", "redis://" + user + ":pw@");
        RedisEventBus survivor = RedisEventBus.builder().url(url).mode(RedisEventBus.Mode.STREAMS)
            .namespace(namespace).blockTimeout(Duration.ofMillis(100)).claimIdle(Duration.ofMillis(600))
            .drainTimeout(Duration.ofMillis(500)).workers(2).build();
        buses.add(survivor);
        survivor.start().block(WAIT);
        Queue<String> handled = new ConcurrentLinkedQueue<>();
        survivor.subscribe("order.placed", SubscribeOptions.defaults().group("billing"),
            event -> Mono.fromRunnable(() -> handled.add(event.id()))).block(WAIT);
        await().atMost(WAIT).until(() -> admin.commands().get("{" + namespace + "}:lease:"
            + GroupMember.redisGroup("billing", "order.placed") + ":0") != null);

        admin.commands().aclSetuser(user, io.lettuce.core.AclSetuserArgs.Builder.on().addPassword("pw").allKeys()
            .allChannels().allCommands());

        await().atMost(WAIT).until(() -> handled.contains(inHand));
      } finally {
        never.tryEmitEmpty();
        admin.commands().aclDeluser(user);
      }
    }
  }

  @Test
  @DisplayName("a group subscribed again on a bus whose last member is still finishing an event does not get that "
      + "event a second time meanwhile")
  void aResubscribedGroupWaitsForTheMemberStillFinishing() {
    RedisEventBus bus = started(1);
    Sinks.Empty<Void> gate = Sinks.empty();
    Queue<String> onOld = new ConcurrentLinkedQueue<>();
    io.fluxbus.Subscription old = bus.subscribe("order.placed", SubscribeOptions.defaults().group("billing"),
        event -> {
          onOld.add(event.id());
          return gate.asMono();
        }).block(WAIT);
    String inHand = bus.publish("order.placed", "in hand").block(WAIT).eventId();
    await().atMost(WAIT).until(() -> onOld.contains(inHand));
    old.cancel().block(WAIT);

    Queue<String> onNew = new ConcurrentLinkedQueue<>();
    bus.subscribe("order.placed", SubscribeOptions.defaults().group("billing"),
        event -> Mono.fromRunnable(() -> onNew.add(event.id()))).subscribe();
    await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> !onNew.contains(inHand));
    gate.tryEmitEmpty();
    String after = bus.publish("order.placed", "after").block(WAIT).eventId();

    await().atMost(WAIT).until(() -> onNew.contains(after));
    assertThat(onNew).doesNotContain(inHand);
    assertThat(onOld).containsExactly(inHand);
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
