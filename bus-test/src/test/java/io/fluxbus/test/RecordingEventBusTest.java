package io.fluxbus.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fluxbus.BusNotStartedException;
import io.fluxbus.Event;
import io.fluxbus.EventBus;
import io.fluxbus.InvalidPatternException;
import io.fluxbus.InvalidTopicException;
import io.fluxbus.PublishResult;
import io.fluxbus.memory.MemoryEventBus;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

@DisplayName("RecordingEventBus")
class RecordingEventBusTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private final MemoryEventBus memory = MemoryEventBus.create();
  private final RecordingEventBus bus = RecordingEventBus.wrap(memory);

  @AfterEach
  void stop() {
    bus.stop().block(WAIT);
  }

  @Test
  @DisplayName("records each event whose publish ran, with its result, in publish order")
  void recordsPublishedEventsWithTheirResults() {
    bus.start().block(WAIT);
    bus.subscribe("order.*").subscribe();
    Event<String> placed = Event.of("order.placed", "o-1");

    bus.publish(placed).block(WAIT);
    bus.publish("audit.log", "entry").block(WAIT);

    assertThat(bus.recorded()).hasSize(2);
    assertThat(bus.recorded().get(0).event()).isSameAs(placed);
    assertThat(bus.recorded().get(0).result()).isEqualTo(new PublishResult(placed.id(), 1, 0));
    assertThat(bus.events()).extracting(Event::topic).containsExactly("order.placed", "audit.log");
  }

  @Test
  @DisplayName("does not record a publish that was never subscribed or that failed")
  void doesNotRecordPublishesThatDidNotRun() {
    Mono<PublishResult> beforeStart = bus.publish("order.placed", "refused");
    StepVerifier.create(beforeStart).expectError(BusNotStartedException.class).verify(WAIT);
    bus.start().block(WAIT);

    bus.publish("order.placed", "never subscribed");

    assertThat(bus.recorded()).isEmpty();
  }

  @Test
  @DisplayName("keeps events in the order their publishes started, even when nested publishes finish first")
  void keepsStartOrderForNestedPublishes() {
    bus.start().block(WAIT);
    bus.subscribe("order.placed", order ->
        bus.publish(Event.builder("invoice.created", "i-1").causedBy(order).build()).then()).block(WAIT);

    bus.publish("order.placed", "o-1").block(WAIT);

    assertThat(bus.events()).extracting(Event::topic).containsExactly("order.placed", "invoice.created");
  }

  @Test
  @DisplayName("published(pattern) replays matching recorded events, then follows new ones")
  void publishedReplaysThenFollows() {
    bus.start().block(WAIT);
    bus.publish("order.placed", 1).block(WAIT);
    bus.publish("audit.log", "ignored").block(WAIT);

    StepVerifier.create(bus.published("order.#").map(Event::payload).take(3))
        .expectNext(1)
        .then(() -> bus.publish("order.shipped", 2).block(WAIT))
        .expectNext(2)
        .then(() -> bus.publish("audit.log", "ignored").then(bus.publish("order", 3)).block(WAIT))
        .expectNext(3)
        .expectComplete()
        .verify(WAIT);
  }

  @Test
  @DisplayName("published(pattern) rejects an invalid pattern at the call")
  void publishedRejectsInvalidPatterns() {
    assertThatThrownBy(() -> bus.published("order.*x")).isInstanceOf(InvalidPatternException.class);
  }

  @Test
  @DisplayName("publish(topic, payload) validates at the call, like any bus")
  void publishValidatesAtTheCall() {
    assertThatThrownBy(() -> bus.publish("order..placed", 1)).isInstanceOf(InvalidTopicException.class);
    assertThatThrownBy(() -> bus.publish((Event<?>) null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  @DisplayName("clear() forgets what was recorded")
  void clearForgetsRecords() {
    bus.start().block(WAIT);
    bus.publish("order.placed", 1).block(WAIT);

    bus.clear();
    bus.publish("order.placed", 2).block(WAIT);

    assertThat(bus.events()).extracting(Event::payload).containsExactly(2);
  }

  @Test
  @DisplayName("forwards subscriptions, bookkeeping and stats to the wrapped bus")
  void forwardsEverythingElse() {
    bus.start().block(WAIT);
    bus.subscribe("order.*").subscribe();

    bus.publish("order.placed", 1).block(WAIT);

    EventBus wrapped = bus.delegate();
    assertThat(wrapped).isSameAs(memory);
    assertThat(memory.topics()).containsExactly("order.*");
    assertThat(bus.subscriberCount("order.placed")).isEqualTo(1);
    assertThat(bus.stats()).isEqualTo(memory.stats());
    assertThat(memory.stats().published()).isEqualTo(1);
  }
}
