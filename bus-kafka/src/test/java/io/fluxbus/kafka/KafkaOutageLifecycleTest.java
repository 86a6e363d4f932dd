package io.fluxbus.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fluxbus.Event;
import io.fluxbus.LifecycleEvent;
import io.fluxbus.StartPosition;
import io.fluxbus.SubscribeOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/**
 * The broker goes away ({@code SIGKILL}) and comes back: a bus that only publishes and a bus that only reads (a
 * group and a replay) each report {@code ENGINE_DISCONNECTED} for the brokers once, and {@code ENGINE_RECONNECTED}
 * once they answer again; the readers then go on. Runs only on the embedded broker, the one a test may kill.
 */
@DisplayName("Kafka: lifecycle() reports the brokers unreachable and reachable again, for publishers and readers")
class KafkaOutageLifecycleTest {

  private static final String PREFIX = "outage-life-" + System.nanoTime();
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
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  @DisplayName("broker killed and restarted: disconnected once, reconnected once, on both buses; readers go on")
  void anOutageIsReportedOnceAndItsEndToo() {
    // catches: an engine that relies on its clients to say so (a poll returns nothing, a send waits: neither
    // reports), a report per failed probe instead of once per outage, and a probe that never reports the way back
    Assumptions.assumeTrue(KafkaTestServer.isEmbedded(), "needs the embedded broker, which the test may restart");
    Queue<LifecycleEvent> publisherEvents = new ConcurrentLinkedQueue<>();
    Queue<LifecycleEvent> readerEvents = new ConcurrentLinkedQueue<>();
    KafkaEventBus publisher = started("publisher", publisherEvents);
    KafkaEventBus reader = started("reader", readerEvents);
    Set<Object> grouped = ConcurrentHashMap.newKeySet();
    Set<Object> replayed = ConcurrentHashMap.newKeySet();
    reader.subscribe("order.*", SubscribeOptions.defaults().group("billing"),
        event -> Mono.fromRunnable(() -> grouped.add(event.payload()))).block(WAIT);
    reader.subscribe("order.*", SubscribeOptions.defaults().startFrom(StartPosition.earliest()),
        event -> Mono.fromRunnable(() -> replayed.add(event.payload()))).block(WAIT);
    publisher.publish(Event.builder("order.placed", (Object) "before").key("k").build()).block(WAIT);
    await().atMost(WAIT).until(() -> grouped.contains("before") && replayed.contains("before"));
    String component = "brokers " + KafkaTestServer.bootstrap();

    KafkaTestServer.restart(Duration.ZERO, () -> await().atMost(WAIT).until(() ->
        count(publisherEvents, LifecycleEvent.Type.ENGINE_DISCONNECTED, component) >= 1
            && count(readerEvents, LifecycleEvent.Type.ENGINE_DISCONNECTED, component) >= 1));
    await().atMost(WAIT).until(() -> last(publisherEvents, component) == LifecycleEvent.Type.ENGINE_RECONNECTED
        && last(readerEvents, component) == LifecycleEvent.Type.ENGINE_RECONNECTED);

    publisher.publish(Event.builder("order.placed", (Object) "after").key("k").build()).block(WAIT);
    await().atMost(WAIT).until(() -> grouped.contains("after") && replayed.contains("after"));
    for (Queue<LifecycleEvent> events : List.of(publisherEvents, readerEvents)) {
      // once per outage: a broker that flapped while it came back may make two, but never two reports in a row
      List<LifecycleEvent.Type> reports = events.stream()
          .filter(e -> e.reason() != null && e.reason().startsWith(component)
              && (e.type() == LifecycleEvent.Type.ENGINE_DISCONNECTED
                  || e.type() == LifecycleEvent.Type.ENGINE_RECONNECTED))
          .map(LifecycleEvent::type).toList();
      assertThat(reports).as("outage reports").isNotEmpty().startsWith(LifecycleEvent.Type.ENGINE_DISCONNECTED)
          .endsWith(LifecycleEvent.Type.ENGINE_RECONNECTED);
      for (int i = 1; i < reports.size(); i++) {
        assertThat(reports.get(i)).as("report %d of %s", i, reports).isNotEqualTo(reports.get(i - 1));
      }
      LifecycleEvent down = events.stream().filter(e -> e.type() == LifecycleEvent.Type.ENGINE_DISCONNECTED
          && e.reason().startsWith(component)).findFirst().orElseThrow();
      assertThat(down.reason()).contains("publishes wait");
    }
    System.out.println("[fluxbus] outage as the reader saw it: " + readerEvents.stream()
        .filter(e -> e.type().name().startsWith("ENGINE") || e.type().name().startsWith("PARTITIONS"))
        .map(e -> e.type() + " " + e.reason()).toList());
  }

  private static LifecycleEvent.Type last(Queue<LifecycleEvent> events, String component) {
    LifecycleEvent.Type last = null;
    for (LifecycleEvent e : events) {
      if (e.reason() != null && e.reason().startsWith(component) && (e.type() == LifecycleEvent.Type.ENGINE_DISCONNECTED
          || e.type() == LifecycleEvent.Type.ENGINE_RECONNECTED)) {
        last = e.type();
      }
    }
    return last;
  }

  private static long count(Queue<LifecycleEvent> events, LifecycleEvent.Type type, String component) {
    return events.stream().filter(e -> e.type() == type && e.reason() != null && e.reason().startsWith(component))
        .count();
  }

  private KafkaEventBus started(String name, Queue<LifecycleEvent> events) {
    KafkaEventBus bus = KafkaEventBus.builder().bootstrapServers(KafkaTestServer.bootstrap()).namespace(PREFIX)
        .partitions(2).name(name).sessionTimeout(Duration.ofSeconds(3)).pollTimeout(Duration.ofMillis(50))
        .connectTimeout(Duration.ofSeconds(2)).workers(2).build();
    listening.add(bus.lifecycle().subscribe(events::add));
    bus.start().block(WAIT);
    buses.add(bus);
    return bus;
  }
}
