package io.fluxbus.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fluxbus.Event;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("PublishedEvents assertions")
class PublishedEventsAssertTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private final RecordingEventBus bus = RecordingEventBus.inMemory();

  @BeforeEach
  void start() {
    bus.start().block(WAIT);
  }

  @AfterEach
  void stop() {
    bus.stop().block(WAIT);
  }

  private Event<Object> publish(Event<?> event) {
    bus.publish(event).block(WAIT);
    @SuppressWarnings("unchecked")
    Event<Object> published = (Event<Object>) event;
    return published;
  }

  @Nested
  @DisplayName("published(pattern)")
  class Published {

    @Test
    @DisplayName("passes when exactly one event meets every condition")
    void passesForOneMatchingEvent() {
      publish(Event.builder("order.placed", Map.of("orderId", "o-1", "total", 4200)).version(2).key("c-7")
          .header("tenant", "acme").build());
      publish(Event.of("audit.log", "entry"));

      PublishedEvents.assertThat(bus)
          .published("order.placed").withVersion(2).withKey("c-7").withHeader("tenant", "acme")
          .withPayloadMatching(OrderPlaced.class, order -> order.total() > 0).once()
          .published("audit.*").withPayload("entry").once()
          .published("#").times(2)
          .publishedNothingOn("billing.#");
    }

    @Test
    @DisplayName("fails when nothing matches, listing what was published and why near misses missed")
    void failsWhenNothingMatches() {
      publish(Event.builder("order.placed", Map.of("orderId", "o-1", "total", 0)).version(1).build());
      publish(Event.of("audit.log", "entry"));

      assertThatThrownBy(() -> PublishedEvents.assertThat(bus).published("order.placed").withVersion(2).once())
          .isInstanceOf(AssertionError.class)
          .hasMessageContaining("Expected exactly 1 event on 'order.placed' with version 2, but none did.")
          .hasMessageContaining("#1: version was 1, expected version 2")
          .hasMessageContaining("Published events (2):")
          .hasMessageContaining("#1 order.placed v1 payload={")
          .hasMessageContaining("#2 audit.log v1 payload=entry");
    }

    @Test
    @DisplayName("fails when a payload predicate does not hold, showing the converted payload")
    void failsWhenThePayloadPredicateDoesNotHold() {
      publish(Event.of("order.placed", Map.of("orderId", "o-1", "total", 0)));

      assertThatThrownBy(() -> PublishedEvents.assertThat(bus).published("order.placed")
          .withPayloadMatching(OrderPlaced.class, order -> order.total() > 0).once())
          .isInstanceOf(AssertionError.class)
          .hasMessageContaining("payload OrderPlaced[orderId=o-1, total=0] did not match the predicate");
    }

    @Test
    @DisplayName("fails when a payload does not convert to the expected type")
    void failsWhenThePayloadDoesNotConvert() {
      publish(Event.of("order.placed", Map.of("orderId", "o-1", "total", "lots")));

      assertThatThrownBy(() -> PublishedEvents.assertThat(bus).published("order.placed")
          .withPayloadMatching(OrderPlaced.class, order -> true).atLeastOnce())
          .isInstanceOf(AssertionError.class)
          .hasMessageContaining("does not convert to OrderPlaced");
    }

    @Test
    @DisplayName("once() fails when the event was published twice")
    void onceFailsForTwoEvents() {
      publish(Event.of("order.placed", "o-1"));
      publish(Event.of("order.placed", "o-2"));

      assertThatThrownBy(() -> PublishedEvents.assertThat(bus).published("order.placed").once())
          .isInstanceOf(AssertionError.class)
          .hasMessageContaining("but 2 did.")
          .hasMessageContaining("#1 order.placed v1 payload=o-1")
          .hasMessageContaining("#2 order.placed v1 payload=o-2");
    }

    @Test
    @DisplayName("fails with 'Nothing was published.' on an empty recorder")
    void failsOnAnEmptyRecorder() {
      assertThatThrownBy(() -> PublishedEvents.assertThat(bus).published("order.placed").atLeastOnce())
          .isInstanceOf(AssertionError.class)
          .hasMessageContaining("Nothing was published.");
    }

    @Test
    @DisplayName("never() passes when no event meets the conditions and fails when one does")
    void never() {
      publish(Event.builder("order.placed", "o-1").version(1).build());

      PublishedEvents.assertThat(bus).published("order.placed").withVersion(2).never();
      assertThatThrownBy(() -> PublishedEvents.assertThat(bus).published("order.placed").never())
          .isInstanceOf(AssertionError.class)
          .hasMessageContaining("Expected exactly 0 events on 'order.placed', but 1 did.");
    }

    @Test
    @DisplayName("causedBy and withCorrelationId check the causal chain")
    void causedByChecksTheChain() {
      Event<Object> order = publish(Event.of("order.placed", "o-1"));
      publish(Event.builder("invoice.created", "i-1").causedBy(order).build());

      PublishedEvents.assertThat(bus).published("invoice.created").causedBy(order)
          .withCorrelationId(order.id()).once();
      assertThatThrownBy(() -> PublishedEvents.assertThat(bus).published("invoice.created")
          .causedBy(Event.of("order.placed", "other")).once())
          .isInstanceOf(AssertionError.class)
          .hasMessageContaining("causation id was " + order.id());
    }

    @Test
    @DisplayName("event() returns the single matching event; matching(...) describes custom conditions")
    void eventReturnsTheMatch() {
      publish(Event.builder("order.placed", "o-1").key("eu-1").build());
      publish(Event.builder("order.placed", "o-2").key("us-1").build());

      Event<Object> european = PublishedEvents.assertThat(bus).published("order.placed")
          .matching("a key starting with eu-", event -> event.key().startsWith("eu-")).event();

      assertThat(european.payload()).isEqualTo("o-1");
      assertThatThrownBy(() -> PublishedEvents.assertThat(bus).published("order.placed")
          .matching("a key starting with ap-", event -> event.key().startsWith("ap-")).once())
          .hasMessageContaining("with a key starting with ap-");
    }
  }

  @Nested
  @DisplayName("publishedNothingOn, publishedNothing and publishedInOrder")
  class Absence {

    @Test
    @DisplayName("publishedNothingOn fails naming the offending events")
    void publishedNothingOnFails() {
      publish(Event.of("order.placed", "o-1"));
      publish(Event.of("audit.login", "u-1"));

      PublishedEvents.assertThat(bus).publishedNothingOn("billing.#");
      assertThatThrownBy(() -> PublishedEvents.assertThat(bus).publishedNothingOn("audit.#"))
          .isInstanceOf(AssertionError.class)
          .hasMessageContaining("Expected nothing published on 'audit.#', but 1 event was: #2")
          .hasMessageContaining("#1 order.placed");
    }

    @Test
    @DisplayName("publishedNothing passes on an empty recorder and fails otherwise")
    void publishedNothing() {
      PublishedEvents.assertThat(bus).publishedNothing();
      publish(Event.of("order.placed", "o-1"));

      assertThatThrownBy(() -> PublishedEvents.assertThat(bus).publishedNothing())
          .isInstanceOf(AssertionError.class)
          .hasMessageContaining("but 1 event was");
    }

    @Test
    @DisplayName("publishedInOrder allows events in between and fails on the wrong order")
    void publishedInOrder() {
      publish(Event.of("order.placed", "o-1"));
      publish(Event.of("audit.log", "entry"));
      publish(Event.of("invoice.created", "i-1"));

      PublishedEvents.assertThat(bus).publishedInOrder("order.placed", "invoice.*");
      assertThatThrownBy(() -> PublishedEvents.assertThat(bus).publishedInOrder("invoice.created", "order.placed"))
          .isInstanceOf(AssertionError.class)
          .hasMessageContaining("no event on 'order.placed' was published after #3 (invoice.created)");
    }

    @Test
    @DisplayName("a collection of events can be asserted too")
    void assertsACollection() {
      List<Event<String>> events = List.of(Event.of("order.placed", "o-1"));

      PublishedEvents.assertThat(events).published("order.placed").withPayload("o-1").once();
      assertThatThrownBy(() -> PublishedEvents.assertThat(events).published("order.placed").withPayload("o-2").once())
          .hasMessageContaining("payload was o-1, expected payload o-2");
    }
  }
}
