package io.fluxbus.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fluxbus.EngineUnavailableException;
import io.fluxbus.Event;
import io.fluxbus.LifecycleEvent;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Pub/sub mode under connection loss during a steady stream of events: at most once means no event twice and none
 * out of order; the loss is confined to reported gaps, and traffic resumes without user action.
 */
@DisplayName("RedisEventBus (pub/sub) under connection kills")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RedisPubSubFaultTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final int EVENTS = 20_000;

  private final String namespace = "fault-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
  private final List<RedisEventBus> buses = new CopyOnWriteArrayList<>();
  private final List<Disposable> disposables = new CopyOnWriteArrayList<>();

  @AfterEach
  void stopBuses() {
    disposables.forEach(Disposable::dispose);
    buses.forEach(bus -> bus.stop().block(WAIT));
  }

  private RedisEventBus started() {
    RedisEventBus bus = RedisEventBus.builder().url(RedisTestServer.url()).namespace(namespace).workers(1).build();
    buses.add(bus);
    bus.start().block(WAIT);
    return bus;
  }

  private Queue<LifecycleEvent> lifecycleOf(RedisEventBus bus) {
    Queue<LifecycleEvent> events = new ConcurrentLinkedQueue<>();
    disposables.add(bus.lifecycle().subscribe(events::add));
    return events;
  }

  private static boolean reported(Queue<LifecycleEvent> lifecycle, LifecycleEvent.Type type, String connection) {
    return lifecycle.stream().anyMatch(event -> event.type() == type && event.reason().contains(connection));
  }

  @Test
  @DisplayName("killing the receiving and the publishing connection mid-run loses only during reported gaps, "
      + "never duplicates or reorders, and traffic resumes by itself")
  void connectionKillsNeverDuplicateOrReorder() {
    // Given
    RedisEventBus publisher = started();
    RedisEventBus receiver = started();
    Queue<LifecycleEvent> publisherLifecycle = lifecycleOf(publisher);
    Queue<LifecycleEvent> receiverLifecycle = lifecycleOf(receiver);
    List<Integer> received = new CopyOnWriteArrayList<>();
    AtomicInteger markers = new AtomicInteger();
    receiver.subscribe("load.#", event -> Mono.fromRunnable(() -> {
      if (event.topic().equals("load.marker")) {
        markers.incrementAndGet();
      } else {
        received.add((Integer) event.payload());
      }
    })).block(WAIT);
    AtomicInteger failedPublishes = new AtomicInteger();
    AtomicBoolean published = new AtomicBoolean();

    // When: a steady stream of pipelined publishes, with both connections killed along the way
    disposables.add(Flux.range(0, EVENTS)
        .flatMapSequential(i -> publisher.publish("load.item", i)
            .onErrorResume(EngineUnavailableException.class, e -> {
              failedPublishes.incrementAndGet();
              return Mono.empty();
            }), 16)
        .doOnComplete(() -> published.set(true))
        .subscribe());
    await().atMost(WAIT).until(() -> received.size() >= EVENTS / 4 || published.get());
    RedisAdmin admin = new RedisAdmin();
    try {
      admin.killClient(receiver.clientName("pubsub"));
      await().atMost(WAIT).until(() -> received.size() >= EVENTS / 2 || published.get());
      admin.killClient(publisher.clientName("commands"));
      await().atMost(WAIT).until(published::get);
    } finally {
      admin.close();
    }

    // Then: traffic resumes without user action
    await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() -> {
      try {
        publisher.publish(Event.of("load.marker", "after")).block(WAIT);
      } catch (EngineUnavailableException stillReconnecting) {
        return false;
      }
      return markers.get() > 0;
    });
    // at most once: strictly increasing payloads means no duplicate and no reordering
    assertThat(received).isNotEmpty().allSatisfy(i -> assertThat(i).isBetween(0, EVENTS - 1));
    for (int i = 1; i < received.size(); i++) {
      assertThat(received.get(i)).as("event after %s", received.get(i - 1)).isGreaterThan(received.get(i - 1));
    }
    // every gap was reported on the side that had it
    assertThat(reported(receiverLifecycle, LifecycleEvent.Type.ENGINE_DISCONNECTED, "pub/sub")).isTrue();
    await().atMost(WAIT).until(() -> reported(receiverLifecycle, LifecycleEvent.Type.ENGINE_RECONNECTED, "pub/sub"));
    assertThat(reported(publisherLifecycle, LifecycleEvent.Type.ENGINE_DISCONNECTED, "command")).isTrue();
    await().atMost(WAIT).until(() -> reported(publisherLifecycle, LifecycleEvent.Type.ENGINE_RECONNECTED, "command"));
    System.out.printf("[fluxbus] pub/sub fault run: %d published, %d publishes failed, %d received%n", EVENTS,
        failedPublishes.get(), received.size());
  }
}
