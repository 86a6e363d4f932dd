package io.fluxbus.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fluxbus.BusNotStartedException;
import io.fluxbus.EngineUnavailableException;
import io.fluxbus.Event;
import io.fluxbus.LifecycleEvent;
import io.lettuce.core.AclSetuserArgs;
import io.lettuce.core.RedisURI;
import io.lettuce.core.protocol.CommandType;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.Disposable;
import redis.embedded.RedisServer;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * Connecting, credentials and connection loss, against a real Redis: failures name the address and never the
 * password; a killed connection comes back without user action and the gap is reported.
 */
@DisplayName("RedisEventBus connects, authenticates and recovers")
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RedisConnectionTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final String PASSWORD = "s3cret-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
  private static RedisAdmin admin;

  private final String namespace = "conn-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
  private final List<RedisEventBus> buses = new ArrayList<>();
  private final List<Disposable> disposables = new ArrayList<>();

  @BeforeAll
  static void connectAdmin() {
    admin = new RedisAdmin();
  }

  @AfterAll
  static void closeAdmin() {
    admin.close();
  }

  @AfterEach
  void stopBuses() {
    disposables.forEach(Disposable::dispose);
    buses.forEach(bus -> bus.stop().block(WAIT));
  }

  private RedisEventBus bus(String url) {
    RedisEventBus bus = RedisEventBus.builder().url(url).namespace(namespace).workers(1).build();
    buses.add(bus);
    return bus;
  }

  private RedisEventBus started() {
    RedisEventBus bus = bus(RedisTestServer.url());
    bus.start().block(WAIT);
    return bus;
  }

  private Queue<LifecycleEvent> lifecycleOf(RedisEventBus bus) {
    Queue<LifecycleEvent> events = new ConcurrentLinkedQueue<>();
    disposables.add(bus.lifecycle().subscribe(events::add));
    return events;
  }

  private static String withCredentials(String user, String password) {
    RedisURI server = RedisURI.create(RedisTestServer.url());
    return "redis://" + (user == null ? "" : user) + ":" + password + "@" + server.getHost() + ":"
        + server.getPort();
  }

  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** Every message in the chain, so that a password hidden in a cause is found too. */
  private static String allMessages(Throwable error) {
    StringBuilder text = new StringBuilder();
    for (Throwable t = error; t != null; t = t.getCause()) {
      text.append(t).append('\n');
      for (Throwable suppressed : t.getSuppressed()) {
        text.append(suppressed).append('\n');
      }
    }
    return text.toString();
  }

  @Test
  @DisplayName("start fails with EngineUnavailableException naming the address, never the password")
  void startFailsNamingTheAddressButNotThePassword() throws IOException {
    // Given
    int port = closedPort();
    RedisEventBus bus = bus("redis://app:" + PASSWORD + "@127.0.0.1:" + port);

    // When / Then
    StepVerifier.create(bus.start())
        .expectErrorSatisfies(error -> {
          assertThat(error).isInstanceOf(EngineUnavailableException.class)
              .hasMessageContaining("redis://127.0.0.1:" + port);
          assertThat(allMessages(error)).doesNotContain(PASSWORD);
        })
        .verify(WAIT);
    assertThat(bus.toString()).contains("127.0.0.1:" + port).doesNotContain(PASSWORD);
    StepVerifier.create(bus.publish("order.placed", 1)).expectError(BusNotStartedException.class).verify(WAIT);
  }

  @Test
  @DisplayName("an ACL user with the right password connects; a wrong password fails without showing it")
  void aclCredentialsAreUsedAndNeverShown() {
    // Given: a user that may use pub/sub and nothing else
    String user = "fluxbus-" + namespace;
    admin.commands().aclSetuser(user, AclSetuserArgs.Builder.on().addPassword(PASSWORD)
        .allChannels().addCommand(CommandType.PUBLISH)
        .addCommand(CommandType.PSUBSCRIBE)
        .addCommand(CommandType.PUNSUBSCRIBE)
        .addCommand(CommandType.PING)
        .addCommand(CommandType.HELLO)
        .addCommand(CommandType.AUTH)
        .addCommand(CommandType.CLIENT));
    try {
      RedisEventBus authorised = bus(withCredentials(user, PASSWORD));
      RedisEventBus receiver = started();
      Queue<Event<Object>> received = new ConcurrentLinkedQueue<>();
      receiver.subscribe("#", event -> Mono.fromRunnable(() -> received.add(event))).block(WAIT);
      RedisEventBus wrong = bus(withCredentials(user, PASSWORD + "-wrong"));

      // When
      authorised.start().block(WAIT);
      authorised.publish("order.placed", "with acl").block(WAIT);

      // Then
      await().atMost(WAIT).until(() -> received.size() == 1);
      assertThat(authorised.toString()).doesNotContain(PASSWORD);
      StepVerifier.create(wrong.start())
          .expectErrorSatisfies(error -> {
            assertThat(error).isInstanceOf(EngineUnavailableException.class)
                .hasMessageContaining(RedisURI.create(RedisTestServer.url()).getHost());
            assertThat(allMessages(error)).doesNotContain(PASSWORD);
          })
          .verify(WAIT);
    } finally {
      admin.commands().aclDeluser(user);
    }
  }

  @Test
  @DisplayName("a url that is not a Redis URL is rejected with its password masked")
  void aMalformedUrlIsRejectedWithThePasswordMasked() {
    assertThatThrownBy(() -> RedisEventBus.builder().url("http://app:" + PASSWORD + "@127.0.0.1:6379").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("http://app:***@127.0.0.1:6379")
        .satisfies(error -> assertThat(allMessages(error)).doesNotContain(PASSWORD));
  }

  @Test
  @DisplayName("a killed pub/sub connection is reported as a gap and receiving resumes without user action")
  void aKilledPubSubConnectionIsReportedAndReceivingResumes() {
    // Given
    RedisEventBus publisher = started();
    RedisEventBus receiver = started();
    Queue<LifecycleEvent> lifecycle = lifecycleOf(receiver);
    Queue<Event<Object>> received = new ConcurrentLinkedQueue<>();
    receiver.subscribe("#", event -> Mono.fromRunnable(() -> received.add(event))).block(WAIT);

    // When
    admin.killClient(receiver.clientName("pubsub"));

    // Then: the loss and the return are reported, and events flow again (Lettuce re-subscribed the pattern)
    await().atMost(WAIT).until(() -> lifecycle.stream()
        .anyMatch(event -> event.type() == LifecycleEvent.Type.ENGINE_RECONNECTED));
    assertThat(lifecycle).filteredOn(event -> event.type() == LifecycleEvent.Type.ENGINE_DISCONNECTED)
        .singleElement()
        .satisfies(event -> assertThat(event.reason()).contains("pub/sub").contains("missed"));
    await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() -> {
      publisher.publish("order.placed", "after the gap").block(WAIT);
      return !received.isEmpty();
    });
    assertThat(received).allSatisfy(event -> assertThat(event.payload()).isEqualTo("after the gap"));
  }

  @Test
  @DisplayName("after the publishing connection is killed, publishing resumes without user action")
  void publishingResumesAfterTheCommandConnectionIsKilled() {
    // Given
    RedisEventBus publisher = started();
    RedisEventBus receiver = started();
    Queue<LifecycleEvent> lifecycle = lifecycleOf(publisher);
    Queue<Event<Object>> received = new ConcurrentLinkedQueue<>();
    receiver.subscribe("#", event -> Mono.fromRunnable(() -> received.add(event))).block(WAIT);

    // When
    admin.killClient(publisher.clientName("commands"));

    // Then: publishes fail fast with EngineUnavailableException while it is down, then succeed again
    await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() -> {
      try {
        publisher.publish("order.placed", "after the kill").block(WAIT);
        return !received.isEmpty();
      } catch (EngineUnavailableException expectedWhileReconnecting) {
        return false;
      }
    });
    await().atMost(WAIT).until(() -> lifecycle.stream()
        .anyMatch(event -> event.type() == LifecycleEvent.Type.ENGINE_DISCONNECTED
            && event.reason().contains("command connection")));
  }

  @Test
  @DisplayName("while Redis is down, publishes fail fast and reach only local subscribers; after it is back, "
      + "events flow again without user action")
  void aRedisRestartIsSurvived() throws IOException {
    // Given: a server of this test's own, so that it can be stopped
    int port = closedPort();
    RedisServer server = RedisServer.newRedisServer().port(port).bind("127.0.0.1").build();
    server.start();
    try {
      String url = "redis://127.0.0.1:" + port;
      RedisEventBus publisher = bus(url);
      RedisEventBus receiver = bus(url);
      publisher.start().block(WAIT);
      receiver.start().block(WAIT);
      Queue<LifecycleEvent> lifecycle = lifecycleOf(receiver);
      Queue<Event<Object>> local = new ConcurrentLinkedQueue<>();
      Queue<Event<Object>> remote = new ConcurrentLinkedQueue<>();
      publisher.subscribe("#", event -> Mono.fromRunnable(() -> local.add(event))).block(WAIT);
      receiver.subscribe("#", event -> Mono.fromRunnable(() -> remote.add(event))).block(WAIT);

      // When: the server goes away
      server.stop();
      await().atMost(WAIT).until(() -> lifecycle.stream()
          .anyMatch(event -> event.type() == LifecycleEvent.Type.ENGINE_DISCONNECTED));

      // Then: a publish fails with the address, after the local subscriber got the event
      StepVerifier.create(publisher.publish("order.placed", "while down"))
          .expectErrorSatisfies(error -> assertThat(error).isInstanceOf(EngineUnavailableException.class)
              .hasMessageContaining("redis://127.0.0.1:" + port))
          .verify(WAIT);
      assertThat(local).extracting(Event::payload).containsExactly("while down");

      // When: it is back on the same port
      server = RedisServer.newRedisServer().port(port).bind("127.0.0.1").build();
      server.start();

      // Then
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
        try {
          publisher.publish("order.placed", "after restart").block(WAIT);
        } catch (EngineUnavailableException stillReconnecting) {
          return false;
        }
        return !remote.isEmpty();
      });
      assertThat(remote).extracting(Event::payload).containsOnly("after restart");
      assertThat(lifecycle).anyMatch(event -> event.type() == LifecycleEvent.Type.ENGINE_RECONNECTED);
    } finally {
      buses.forEach(bus -> bus.stop().block(WAIT));
      server.stop();
    }
  }

  @Test
  @DisplayName("a stop while start is still connecting waits for it and leaves the bus stopped")
  void aStopDuringStartLeavesTheBusStopped() {
    // Given
    RedisEventBus bus = bus(RedisTestServer.url());

    // When: start is under way (subscribed, not awaited) when stop is called
    bus.start().subscribe();
    bus.stop().block(WAIT);

    // Then
    StepVerifier.create(bus.publish("order.placed", 1)).expectError(BusNotStartedException.class).verify(WAIT);
    assertThat(bus.toString()).contains("connected=false");
    await().atMost(WAIT).until(() -> !admin.hasClient(bus.clientName("pubsub")));
  }

  @Test
  @DisplayName("stop closes both connections, and a restarted bus connects again")
  void stopClosesTheConnectionsAndRestartReconnects() {
    // Given
    RedisEventBus bus = started();
    assertThat(admin.hasClient(bus.clientName("pubsub"))).isTrue();
    assertThat(admin.hasClient(bus.clientName("commands"))).isTrue();

    // When
    bus.stop().block(WAIT);

    // Then
    await().atMost(WAIT).until(() -> !admin.hasClient(bus.clientName("pubsub"))
        && !admin.hasClient(bus.clientName("commands")));
    assertThat(bus.toString()).contains("connected=false");
    bus.start().block(WAIT);
    assertThat(admin.hasClient(bus.clientName("pubsub"))).isTrue();
    assertThat(bus.publish("order.placed", 1).block(WAIT).delivered()).isZero();
  }
}
