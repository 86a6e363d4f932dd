package io.fluxbus.internal.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxbus.BusNotStartedException;
import io.fluxbus.Event;
import io.fluxbus.PublishResult;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/** {@link LocalEventBus#publish(Event, Scheduler)}: which publishes stay on the caller, and the order of the rest. */
class SlowPathPublishTest {

  private static final Duration WAIT = Duration.ofSeconds(5);

  private final Scheduler slowPath = Schedulers.newSingle("slow-path");
  private final LocalEventBus bus = new LocalEventBus(LocalSettings.builder("test").workers(1).build());

  @BeforeEach
  void start() {
    bus.start().block(WAIT);
  }

  @AfterEach
  void stop() {
    bus.stop().block(WAIT);
    slowPath.dispose();
  }

  private static String thread() {
    return Thread.currentThread().getName();
  }

  @Test
  @DisplayName("a publish no subscription matches completes on the calling thread, counted as published")
  void unmatchedPublishStaysOnTheCaller() {
    bus.subscribe("other.*", event -> Mono.empty()).block(WAIT);
    List<String> completedOn = new CopyOnWriteArrayList<>();

    PublishResult result = bus.publish(Event.of("nobody.here", 1), slowPath)
        .doOnNext(r -> completedOn.add(thread())).block(WAIT);

    assertThat(result.delivered()).isZero();
    assertThat(completedOn).containsExactly(thread());
    assertThat(bus.stats().published()).isEqualTo(1);
  }

  @Test
  @DisplayName("sync handlers and sync Flux subscribers run on the slow path, never on the publishing thread")
  void syncSubscribersRunOnTheSlowPath() {
    List<String> ran = new CopyOnWriteArrayList<>();
    bus.subscribe("sync.*").subscribe(event -> ran.add("flux@" + thread()));
    bus.subscribe("sync.*", event -> Mono.fromRunnable(() -> ran.add("handler@" + thread()))).block(WAIT);

    StepVerifier.create(bus.publish(Event.of("sync.one", 1), slowPath))
        .assertNext(result -> assertThat(result.delivered()).isEqualTo(2))
        .verifyComplete();
    assertThat(ran).hasSize(2).allSatisfy(run -> assertThat(run).contains("@slow-path-"))
        .anySatisfy(run -> assertThat(run).startsWith("handler@")).anySatisfy(run -> assertThat(run).startsWith("flux@"));
  }

  @Test
  @DisplayName("a sync handler that completes on another thread resumes its publish on the slow path")
  void aLateHandlerResumesOnTheSlowPath() throws InterruptedException {
    Sinks.Empty<Void> gate = Sinks.empty();
    CountDownLatch handling = new CountDownLatch(1);
    List<String> ran = new CopyOnWriteArrayList<>();
    bus.subscribe("late.*", event -> gate.asMono().doOnSubscribe(s -> handling.countDown())).block(WAIT);
    bus.subscribe("late.*", event -> Mono.fromRunnable(() -> ran.add(thread()))).block(WAIT);
    CompletableFuture<PublishResult> publish = bus.publish(Event.of("late.one", 1), slowPath).toFuture();

    // completed on another thread once the handler runs, as a driver's I/O thread completes a handler's query
    assertThat(handling.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    Schedulers.boundedElastic().schedule(() -> gate.tryEmitEmpty());

    assertThat(publish).succeedsWithin(WAIT).satisfies(result -> assertThat(result.delivered()).isEqualTo(2));
    assertThat(ran).singleElement().asString().startsWith("slow-path-");
  }

  @Test
  @DisplayName("while the slow path is busy, publishes of several topics reach a shared subscriber in publish order")
  void publishesKeepTheirOrderAcrossTopics() throws InterruptedException {
    List<Object> shared = new CopyOnWriteArrayList<>();
    CountDownLatch all = new CountDownLatch(4);
    bus.subscribe("order.placed", event -> Mono.empty()).block(WAIT);
    bus.subscribeAsync("order.*", event -> Mono.fromRunnable(() -> {
      shared.add(event.payload());
      all.countDown();
    })).block(WAIT);
    CountDownLatch busy = new CountDownLatch(1);
    slowPath.schedule(() -> {
      try {
        busy.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });

    // placed goes to a sync and the shared subscriber, paid to the shared one only
    List<CompletableFuture<PublishResult>> publishes = IntStream.range(0, 4)
        .mapToObj(i -> bus.publish(Event.of(i % 2 == 0 ? "order.placed" : "order.paid", i), slowPath).toFuture())
        .toList();
    busy.countDown();

    assertThat(publishes).allSatisfy(publish -> assertThat(publish).succeedsWithin(WAIT));
    assertThat(all.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    assertThat(shared).containsExactly(0, 1, 2, 3);
  }

  @Test
  @DisplayName("a publish that reaches a subscription when the slow path is closed is refused, naming the topic")
  void aClosedSlowPathRefusesThePublish() {
    bus.subscribe("late.*", event -> Mono.empty()).block(WAIT);
    slowPath.dispose();

    StepVerifier.create(bus.publish(Event.of("late.one", 1), slowPath))
        .expectErrorSatisfies(error -> assertThat(error).isInstanceOf(BusNotStartedException.class)
            .hasMessageContaining("'late.one'").hasMessageContaining("closing its delivery thread"))
        .verify(WAIT);
  }
}
