package io.fluxbus.spi;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxbus.Event;
import io.fluxbus.PublishResult;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/** {@link LocalEventBus#publish(Event, Scheduler)}: what runs on the caller and what on the slow path. */
class SlowPathPublishTest {

  private static final Duration WAIT = Duration.ofSeconds(5);

  private final Scheduler slowPath = Schedulers.newSingle("slow-path");
  private final LocalEventBus bus = new LocalEventBus(LocalSettings.builder("test").workers(1).build());

  @AfterEach
  void stop() {
    bus.stop().block(WAIT);
    slowPath.dispose();
  }

  @Test
  @DisplayName("with only async subscribers that have room, the publish completes on the calling thread")
  void theFastPathStaysOnTheCaller() {
    bus.start().block(WAIT);
    bus.subscribeAsync("fast.*", event -> Mono.empty()).block(WAIT);
    List<String> completedOn = new CopyOnWriteArrayList<>();

    PublishResult result = bus.publish(Event.of("fast.one", 1), slowPath)
        .doOnNext(r -> completedOn.add(Thread.currentThread().getName())).block(WAIT);

    assertThat(result.delivered()).isEqualTo(1);
    assertThat(completedOn).containsExactly(Thread.currentThread().getName());
  }

  @Test
  @DisplayName("sync handlers run on the slow path, in subscription order, and the publish completes after them")
  void syncHandlersRunOnTheSlowPath() {
    bus.start().block(WAIT);
    List<String> ran = new CopyOnWriteArrayList<>();
    for (String name : List.of("first", "second")) {
      bus.subscribe("sync.*", event -> Mono.fromRunnable(() -> ran.add(name + "@" + Thread.currentThread().getName())))
          .block(WAIT);
    }

    StepVerifier.create(bus.publish(Event.of("sync.one", 1), slowPath))
        .assertNext(result -> assertThat(result.delivered()).isEqualTo(2))
        .verifyComplete();
    assertThat(ran).containsExactly("first@slow-path-1", "second@slow-path-1");
  }
}
