package io.fluxbus.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fluxbus.LifecycleEvent;
import io.fluxbus.SubscribeOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/**
 * {@code lifecycle()} reports a group member's partitions as Kafka's rebalances move them: gained
 * ({@code PARTITIONS_ASSIGNED}) and lost ({@code PARTITIONS_REVOKED}), with the subscription's pattern and the group
 * and partitions in the reason.
 */
@DisplayName("Kafka: lifecycle() reports partitions assigned and revoked in rebalances")
class KafkaRebalanceLifecycleTest {

  private static final String PREFIX = "rebalance-life-" + System.nanoTime();
  private static final Duration WAIT = Duration.ofSeconds(60);
  private final List<KafkaEventBus> buses = new ArrayList<>();
  private final List<Disposable> listening = new ArrayList<>();

  @AfterEach
  void stop() {
    listening.forEach(Disposable::dispose);
    buses.forEach(bus -> bus.stop().onErrorResume(e -> Mono.empty()).block(WAIT));
  }

  @AfterAll
  static void deleteTopics() {
    KafkaTestServer.deleteTopics(PREFIX);
  }

  @Test
  @DisplayName("a second member takes half the partitions from the first, and gives them back when it stops")
  void membersJoiningAndLeavingAreReported() {
    // catches: a rebalance listener that reports nothing, reports before the partitions moved, names the wrong
    // partitions (the two members' last assignments must share out all four), or misses a member's leaving
    Queue<LifecycleEvent> first = new ConcurrentLinkedQueue<>();
    Queue<LifecycleEvent> second = new ConcurrentLinkedQueue<>();
    KafkaEventBus a = started("a", first);
    SubscribeOptions group = SubscribeOptions.defaults().group("billing");
    a.subscribe("order.*", group, event -> Mono.empty()).block(WAIT);
    await().atMost(WAIT).until(() -> last(first, LifecycleEvent.Type.PARTITIONS_ASSIGNED) != null);
    LifecycleEvent alone = last(first, LifecycleEvent.Type.PARTITIONS_ASSIGNED);
    assertThat(alone.pattern()).isEqualTo("order.*");
    assertThat(alone.subscriptionId()).isNotNull();
    assertThat(alone.engine()).isEqualTo("a");
    assertThat(alone.reason()).isEqualTo("group 'billing' partitions [0, 1, 2, 3]");

    KafkaEventBus b = started("b", second);
    b.subscribe("order.*", group, event -> Mono.empty()).block(WAIT);
    // waits for the split, not for a count of rebalances: a slow member may cause one more on a loaded machine
    await().atMost(WAIT).until(() -> last(second, LifecycleEvent.Type.PARTITIONS_ASSIGNED) != null
        && count(first, LifecycleEvent.Type.PARTITIONS_ASSIGNED) >= 2
        && Set.of(partitionsOf(last(first, LifecycleEvent.Type.PARTITIONS_ASSIGNED)),
            partitionsOf(last(second, LifecycleEvent.Type.PARTITIONS_ASSIGNED))).equals(Set.of("[0, 2]", "[1, 3]")));
    assertThat(first).filteredOn(e -> e.type() == LifecycleEvent.Type.PARTITIONS_REVOKED).first().satisfies(revoked -> {
      assertThat(revoked.pattern()).isEqualTo("order.*");
      assertThat(revoked.reason()).startsWith("group 'billing' partitions [0, 1, 2, 3]: rebalance");
    });

    b.stop().block(WAIT);
    assertThat(last(second, LifecycleEvent.Type.PARTITIONS_REVOKED).reason())
        .startsWith("group 'billing' partitions " + partitionsOf(last(second, LifecycleEvent.Type.PARTITIONS_ASSIGNED))
            + ": the member leaves the group");
    await().atMost(WAIT).until(() -> count(first, LifecycleEvent.Type.PARTITIONS_ASSIGNED) >= 3
        && "group 'billing' partitions [0, 1, 2, 3]".equals(last(first, LifecycleEvent.Type.PARTITIONS_ASSIGNED)
            .reason()));
  }

  private static String partitionsOf(LifecycleEvent event) {
    return event.reason().substring(event.reason().indexOf('['));
  }

  private static LifecycleEvent last(Queue<LifecycleEvent> events, LifecycleEvent.Type type) {
    return events.stream().filter(e -> e.type() == type).reduce((x, y) -> y).orElse(null);
  }

  private static long count(Queue<LifecycleEvent> events, LifecycleEvent.Type type) {
    return events.stream().filter(e -> e.type() == type).count();
  }

  private KafkaEventBus started(String name, Queue<LifecycleEvent> events) {
    KafkaEventBus bus = KafkaEventBus.builder().bootstrapServers(KafkaTestServer.bootstrap()).namespace(PREFIX)
        .partitions(4).name(name).sessionTimeout(Duration.ofSeconds(3)).pollTimeout(Duration.ofMillis(20))
        .drainTimeout(Duration.ofSeconds(2)).workers(2).build();
    listening.add(bus.lifecycle().subscribe(events::add));
    bus.start().block(WAIT);
    buses.add(bus);
    return bus;
  }
}
