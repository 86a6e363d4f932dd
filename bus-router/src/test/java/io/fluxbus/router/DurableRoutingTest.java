package io.fluxbus.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fluxbus.DurableEventBus;
import io.fluxbus.Event;
import io.fluxbus.EventBus;
import io.fluxbus.PublishResult;
import io.fluxbus.StartPosition;
import io.fluxbus.memory.MemoryEventBus;
import io.fluxbus.spi.ForwardingEventBus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * The router's durable operations: delayed publishes and group resets go to the engines that carry the topic or
 * pattern, and are refused, naming the engine, where that engine keeps no durable log.
 */
class DurableRoutingTest {

  private static final Duration WAIT = Duration.ofSeconds(5);

  private final MemoryEventBus fast = MemoryEventBus.builder().name("fast").build();
  private final RecordingDurableEngine log = new RecordingDurableEngine();
  private final EngineRouter router = EngineRouter.builder()
      .engine("fast", fast)
      .engine("log", log)
      .route("log", "orders.#")
      .defaultEngine("fast")
      .build();

  @AfterEach
  void stop() {
    router.stop().block(WAIT);
  }

  @Test
  @DisplayName("publishAt goes to the durable engine the topic routes to")
  void publishAtGoesToTheTopicsEngine() {
    router.start().block(WAIT);
    Instant at = Instant.now().plusSeconds(60);

    PublishResult result = router.publishAt(Event.of("orders.placed", 1), at).block(WAIT);

    assertThat(result.delivered()).isZero();
    assertThat(log.calls).containsExactly("publishAt orders.placed " + at);
  }

  @Test
  @DisplayName("publishAt of a topic that routes to an engine without a durable log names that engine")
  void publishAtOnAnInProcessEngineIsRefused() {
    router.start().block(WAIT);

    assertThatThrownBy(() -> router.publishAt(Event.of("user.created", 1), Instant.now()).block(WAIT))
        .isInstanceOf(UnsupportedOperationException.class)
        .hasMessageContaining("'user.created'").hasMessageContaining("engine 'fast'");
    assertThat(log.calls).isEmpty();
  }

  @Test
  @DisplayName("resetGroup moves the group on the durable engines its pattern can reach, and only there")
  void resetGroupReachesTheDurableEngines() {
    router.start().block(WAIT);

    router.resetGroup("billing", "#", StartPosition.earliest()).block(WAIT);
    assertThat(log.calls).containsExactly("resetGroup billing # earliest");

    assertThatThrownBy(() -> router.resetGroup("billing", "user.#", StartPosition.earliest()).block(WAIT))
        .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("[fast]");
  }

  /** A memory engine that records the durable calls it receives, standing in for a log engine in routing. */
  private static final class RecordingDurableEngine extends ForwardingEventBus implements DurableEventBus {
    final List<String> calls = new CopyOnWriteArrayList<>();
    private final MemoryEventBus memory = MemoryEventBus.builder().name("log").build();

    @Override
    protected EventBus delegate() {
      return memory;
    }

    @Override
    public Mono<PublishResult> publishAt(Event<?> event, Instant deliverAt) {
      return Mono.fromSupplier(() -> {
        calls.add("publishAt " + event.topic() + " " + deliverAt);
        return new PublishResult(event.id(), 0, 0);
      });
    }

    @Override
    public Mono<Void> resetGroup(String group, String pattern, StartPosition position) {
      return Mono.fromRunnable(() -> calls.add("resetGroup " + group + " " + pattern + " "
          + position.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT)));
    }
  }
}
