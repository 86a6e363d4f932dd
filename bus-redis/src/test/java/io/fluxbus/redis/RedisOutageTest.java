package io.fluxbus.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fluxbus.EngineUnavailableException;
import io.fluxbus.Event;
import io.fluxbus.StartPosition;
import io.fluxbus.SubscribeOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.publisher.Mono;
import redis.embedded.RedisServer;

/**
 * A private Redis server (append-only file, as in production) that goes away and comes back: every operation signals
 * the documented typed error while it is down, and the bus is back within about its {@code reconnectDelay} of the
 * server. With Lettuce's default delay (doubling up to 30 s) the first attempt after a 5 s outage comes about 3 s
 * after the server returned, which the reconnection check below refuses; a join that let Lettuce's own
 * {@code RedisException} through fails the typed-error check.
 */
@DisplayName("RedisEventBus through a server outage: typed errors while down, back soon after the server")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RedisOutageTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final Duration OUTAGE = Duration.ofSeconds(5);
  private static final Duration RECONNECT_DELAY = Duration.ofSeconds(1);

  private RedisServer server;
  private RedisEventBus bus;

  @AfterEach
  void tearDown() throws IOException {
    if (bus != null) {
      bus.stop().onErrorResume(error -> Mono.empty()).block(WAIT);
    }
    if (server != null) {
      server.stop();
    }
  }

  @Test
  @DisplayName("while down, every operation signals EngineUnavailableException; after, publishing and groups work again")
  void anOutageEndsSoonAfterTheServerIsBack() throws IOException {
    int port = freePort();
    Path dir = Files.createTempDirectory("fluxbus-redis-outage");
    server = RedisServer.newRedisServer().port(port).bind("127.0.0.1")
        .setting("appendonly yes").setting("appendfsync always").setting("dir " + dir).build();
    server.start();
    bus = RedisEventBus.builder().url("redis://127.0.0.1:" + port).mode(RedisEventBus.Mode.STREAMS)
        .namespace("outage").claimIdle(Duration.ofSeconds(1)).blockTimeout(Duration.ofMillis(100))
        .reconnectDelay(RECONNECT_DELAY).drainTimeout(Duration.ofMillis(500)).build();
    bus.start().block(WAIT);
    Queue<String> handled = new ConcurrentLinkedQueue<>();
    bus.subscribe("order.#", SubscribeOptions.defaults().group("billing"),
        event -> Mono.fromRunnable(() -> handled.add(event.id()))).block(WAIT);
    String before = bus.publish("order.placed", "before").block(WAIT).eventId();
    await().atMost(WAIT).until(() -> handled.contains(before));

    server.stop();
    assertThatThrownBy(() -> bus.publish("order.placed", "while down").block(WAIT))
        .isInstanceOf(EngineUnavailableException.class).hasMessageContaining("127.0.0.1:" + port);
    assertThatThrownBy(() -> bus.subscribe("order.#", SubscribeOptions.defaults().group("audit")
            .startFrom(StartPosition.earliest()), event -> Mono.empty()).block(WAIT))
        .isInstanceOf(EngineUnavailableException.class).hasMessageContaining("join group 'audit'");
    assertThatThrownBy(() -> bus.subscribe("order.#", SubscribeOptions.defaults().startFrom(StartPosition.earliest()),
            event -> Mono.empty()).block(WAIT))
        .isInstanceOf(EngineUnavailableException.class).hasMessageContaining("replay 'order.#'");
    assertThatThrownBy(() -> bus.publishAfter(Event.of("order.reminder", "later"), Duration.ofMinutes(1)).block(WAIT))
        .isInstanceOf(EngineUnavailableException.class).hasMessageContaining("127.0.0.1:" + port);
    assertThatThrownBy(() -> bus.resetGroup("billing", "order.#", StartPosition.earliest()).block(WAIT))
        .isInstanceOf(EngineUnavailableException.class).hasMessageContaining("reset group 'billing'");
    // the outage itself: the server stays away this long, which lets Lettuce's default delay grow past 4 s
    Mono.delay(OUTAGE).block();
    server.start();
    long back = System.nanoTime();

    String after = null;
    while (after == null) {
      after = bus.publish(Event.of("order.placed", "after")).map(result -> result.eventId())
          .onErrorResume(EngineUnavailableException.class, down -> Mono.delay(Duration.ofMillis(20)).then(Mono.empty()))
          .block(WAIT);
      assertThat(Duration.ofNanos(System.nanoTime() - back)).as("publishing again").isLessThan(WAIT);
    }
    Duration firstPublish = Duration.ofNanos(System.nanoTime() - back);
    String afterId = after;
    await().atMost(WAIT).pollInterval(Duration.ofMillis(5)).until(() -> handled.contains(afterId));
    Duration firstDelivery = Duration.ofNanos(System.nanoTime() - back);
    System.out.printf("[fluxbus] Redis back after a %d s outage: first publish +%d ms, first group delivery +%d ms%n",
        OUTAGE.toSeconds(), firstPublish.toMillis(), firstDelivery.toMillis());

    // a reconnect attempt comes at most RECONNECT_DELAY after the previous one; the rest is the bounded read cycle
    assertThat(firstPublish).as("first publish after the server returned")
        .isLessThan(RECONNECT_DELAY.plusMillis(1500));
    assertThat(firstDelivery).as("first group delivery after the server returned")
        .isLessThan(RECONNECT_DELAY.plusMillis(2500));
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
