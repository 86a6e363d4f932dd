package io.fluxbus.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fluxbus.EngineUnavailableException;
import io.fluxbus.Event;
import io.fluxbus.SubscribeOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * Streams mode under connection kills, on a real Redis: every event a publisher was told is stored reaches the
 * group at least once, however often the group's reading connection, the publisher's append connection and both
 * buses' command connections are killed ({@code CLIENT KILL}) during the run.
 */
@DisplayName("RedisEventBus (streams) under connection kills")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class RedisStreamsFaultTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final int EVENTS = 100_000;
  private static final String NAMESPACE = "faults-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
  private static RedisAdmin admin;

  private final List<RedisEventBus> buses = new ArrayList<>();

  @BeforeAll
  static void connectAdmin() {
    admin = new RedisAdmin();
  }

  @AfterAll
  static void cleanUp() {
    admin.deleteKeys("{" + NAMESPACE + "}*");
    admin.close();
  }

  @AfterEach
  void stopBuses() {
    buses.forEach(bus -> bus.stop().block(WAIT));
  }

  private RedisEventBus started() {
    RedisEventBus bus = RedisEventBus.builder()
        .url(RedisTestServer.url())
        .mode(RedisEventBus.Mode.STREAMS)
        .namespace(NAMESPACE)
        .partitions(4)
        .blockTimeout(Duration.ofMillis(200))
        .claimIdle(Duration.ofSeconds(2))
        .readCount(500)
        .workers(2)
        .build();
    buses.add(bus);
    bus.start().block(WAIT);
    return bus;
  }

  private static String pending() {
    StringBuilder summary = new StringBuilder();
    for (int p = 0; p < 4; p++) {
      String key = "{" + NAMESPACE + "}:log:" + p;
      summary.append(key).append(" len=").append(admin.commands().xlen(key)).append(" pending=")
          .append(admin.commands().xpending(key, GroupMember.redisGroup("workers", "load.#")).getCount())
          .append("; ");
    }
    return summary.toString();
  }

  @Test
  @DisplayName("CLIENT KILL of the consuming and publishing connections during a 100 000-event run loses nothing")
  void nothingIsLostWhenConnectionsAreKilled() {
    RedisEventBus consumer = started();
    RedisEventBus publisher = started();
    Set<String> handled = ConcurrentHashMap.newKeySet();
    AtomicLong deliveries = new AtomicLong();
    consumer.subscribe("load.#", SubscribeOptions.defaults().group("workers").async(true).concurrency(16),
        event -> Mono.fromRunnable(() -> {
          deliveries.incrementAndGet();
          handled.add(event.id());
        })).block(WAIT);
    String groupConnection = consumer.clientName("group:" + GroupMember.redisGroup("workers", "load.#"));
    Set<String> stored = ConcurrentHashMap.newKeySet();
    AtomicLong publishFailures = new AtomicLong();

    // a publisher retries what Redis did not confirm, as an application would; a retried append may duplicate
    Mono<Void> publishing = Flux.range(0, EVENTS)
        .map(i -> Event.builder("load.item", (Object) i).key("k" + (i % 64)).build())
        .flatMap(event -> publisher.publish(event)
            .doOnError(EngineUnavailableException.class, error -> publishFailures.incrementAndGet())
            .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(5)).maxBackoff(Duration.ofMillis(200))
                .filter(EngineUnavailableException.class::isInstance))
            .doOnNext(result -> stored.add(result.eventId())), 64)
        .then();
    // a kill counts only if it hit while events were still being published and handled: a run whose kills all
    // came after publishing finished would prove nothing (that is what the count below refuses)
    AtomicLong killsInFlight = new AtomicLong();
    Mono<Void> killing = Flux.interval(Duration.ofMillis(100), Duration.ofMillis(300))
        .take(8)
        .doOnNext(round -> {
          if (stored.size() < EVENTS && handled.size() < EVENTS) {
            killsInFlight.incrementAndGet();
          }
          switch ((int) (round % 4)) {
            case 0 -> admin.killClient(groupConnection);
            case 1 -> admin.killClient(publisher.clientName("appends"));
            case 2 -> admin.killClient(consumer.clientName("commands"));
            default -> admin.killClient(publisher.clientName("commands"));
          }
        })
        .then();

    Mono.when(publishing, killing).block(Duration.ofSeconds(120));

    assertThat(stored).hasSize(EVENTS);
    assertThat(killsInFlight.get()).as("kills that hit while events were in flight").isGreaterThanOrEqualTo(4);
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
        .untilAsserted(() -> assertThat(stored.stream().filter(id -> !handled.contains(id)).count())
            .as("stored events not handled; pending per partition: %s", pending()).isZero());
    System.out.printf("[fluxbus] streams fault run: %d stored, %d handled (%d deliveries), %d publish attempts "
        + "refused while a connection was down, %d of 8 kills while events were in flight%n", stored.size(),
        handled.size(), deliveries.get(), publishFailures.get(), killsInFlight.get());
  }
}
