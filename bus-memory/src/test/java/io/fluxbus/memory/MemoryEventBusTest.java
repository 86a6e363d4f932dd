package io.fluxbus.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fluxbus.ConfigException;
import io.fluxbus.DeliveryMode;
import io.fluxbus.Event;
import io.fluxbus.EventBus;
import io.fluxbus.PublishResult;
import io.fluxbus.SubscribeOptions;
import io.fluxbus.spi.EngineProvider;
import io.fluxbus.spi.EngineSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/** What the memory engine promises beyond the shared contract suite (which runs in bus-test). */
class MemoryEventBusTest {

  private final List<EventBus> buses = new CopyOnWriteArrayList<>();

  private MemoryEventBus started(MemoryEventBus bus) {
    buses.add(bus);
    bus.start().block(Duration.ofSeconds(5));
    return bus;
  }

  @AfterEach
  void stopAll() {
    for (EventBus bus : buses) {
      bus.stop().block(Duration.ofSeconds(10));
    }
  }

  @Test
  @DisplayName("subscribers get the very payload object that was published (zero copy)")
  void zeroCopy() {
    MemoryEventBus bus = started(MemoryEventBus.create());
    Object payload = new Object();
    AtomicReference<Object> seen = new AtomicReference<>();
    bus.subscribe("a.b").subscribe(e -> seen.set(e.payload()));

    bus.publish("a.b", payload).block(Duration.ofSeconds(5));

    assertThat(seen.get()).isSameAs(payload);
  }

  @Test
  @DisplayName("async subscriptions run on the bus's own worker threads, named after the engine")
  void asyncRunsOnWorkers() {
    MemoryEventBus bus = started(MemoryEventBus.builder().name("orders").workers(2).build());
    AtomicReference<String> thread = new AtomicReference<>();

    StepVerifier.create(bus.subscribeAsync("x").doOnNext(e -> thread.set(Thread.currentThread().getName())).take(1))
        .then(() -> bus.publish("x", "p").subscribe())
        .expectNextCount(1)
        .verifyComplete();

    assertThat(thread.get()).startsWith("fluxbus-orders");
  }

  @Test
  @DisplayName("block mode keeps a single-threaded publisher's scheduler free while it waits for room")
  void blockModeNeverHoldsTheThread() throws InterruptedException {
    MemoryEventBus bus = started(MemoryEventBus.builder().deliveryMode(DeliveryMode.block()).build());
    CountDownLatch release = new CountDownLatch(1);
    bus.subscribe("slow", SubscribeOptions.defaults().async(true).bufferSize(1),
        e -> Mono.fromRunnable(() -> awaitQuietly(release)).subscribeOn(Schedulers.boundedElastic()).then())
        .block(Duration.ofSeconds(5));
    Scheduler single = Schedulers.newSingle("publisher");
    try {
      List<PublishResult> results = new CopyOnWriteArrayList<>();
      // 1 runs in the handler, 1 fills the buffer, the third must wait for room
      for (int i = 0; i < 3; i++) {
        bus.publish("slow", i).subscribeOn(single).subscribe(results::add);
      }
      CountDownLatch otherWork = new CountDownLatch(1);
      single.schedule(otherWork::countDown);

      assertThat(otherWork.await(5, TimeUnit.SECONDS)).as("the publisher's thread ran other work").isTrue();
      assertThat(results).hasSizeLessThan(3);

      release.countDown();
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> results.size() == 3);
      assertThat(results).allSatisfy(r -> assertThat(r.delivered()).isEqualTo(1));
    } finally {
      release.countDown();
      single.dispose();
    }
  }

  @Test
  @DisplayName("the memory engine is found by type through ServiceLoader and reads its settings")
  void providerIsDiscoveredAndConfigures() {
    EngineProvider provider = ServiceLoader.load(EngineProvider.class).stream().map(ServiceLoader.Provider::get)
        .filter(p -> p.type().equals("memory")).findFirst().orElseThrow();

    EventBus bus = provider.create(EngineSettings.of("fast", "svc", Map.of("bufferSize", 8, "workers", 1,
        "deliveryMode", "timeout", "publishBlockTimeout", "250ms", "drainTimeout", "1s")));

    assertThat(bus).isInstanceOf(MemoryEventBus.class);
    assertThat(bus.toString()).contains("bufferSize=8", "workers=1", "PT0.25S", "source=svc", "engine=fast");
  }

  @Test
  @DisplayName("an unknown memory setting is an error that suggests the closest key")
  void providerRejectsUnknownKeys() {
    assertThatThrownBy(() -> new MemoryEngineProvider().create(EngineSettings.of("fast", null,
        Map.of("bufferSiz", 8))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'bufferSiz'")
        .hasMessageContaining("did you mean 'bufferSize'");
  }

  @Test
  @DisplayName("a typed sync subscription receives the payload converted, in publish order")
  void typedOrder() {
    MemoryEventBus bus = started(MemoryEventBus.create());
    record Point(int x, int y) {}
    List<Point> seen = new CopyOnWriteArrayList<>();
    bus.subscribe("p.#", Point.class).subscribe(e -> seen.add(e.payload()));

    bus.publish(Event.of("p.one", Map.of("x", 1, "y", 2))).block(Duration.ofSeconds(5));
    bus.publish(Event.of("p.two", new Point(3, 4))).block(Duration.ofSeconds(5));

    assertThat(seen).containsExactly(new Point(1, 2), new Point(3, 4));
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
