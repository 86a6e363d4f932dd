package io.fluxbus.test;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxbus.Event;
import io.fluxbus.EventBus;
import io.fluxbus.LifecycleEvent;
import io.fluxbus.RetryPolicy;
import io.fluxbus.SubscribeOptions;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * A failed handler is retried per its {@link RetryPolicy}; after the last attempt the event is counted as failed
 * once and moved to the dead-letter topic (the subscription's {@code deadLetter}, else {@code <topic>.dlq} when
 * the policy retries) with the error in its headers.
 */
abstract class RetryContract extends ContractPart {

  private static final RetryPolicy THREE_QUICK_ATTEMPTS =
      RetryPolicy.exponential(3, Duration.ofMillis(5), Duration.ofMillis(20));

  RetryContract(BusFixture buses) {
    super(buses);
  }

  @Test
  @DisplayName("a failing handler is retried, then its event is dead-lettered to <topic>.dlq with the error")
  void aFailingHandlerIsRetriedThenDeadLettered() {
    EventBus bus = buses.started();
    LifecycleRecorder lifecycle = buses.lifecycleOf(bus);
    AtomicInteger attempts = new AtomicInteger();
    EventLog deadLetters = new EventLog();
    subscribe(bus, "order.placed.dlq", deadLetters.handler());
    subscribe(bus, "order.placed", SubscribeOptions.defaults().async(true).retry(THREE_QUICK_ATTEMPTS), event -> {
      attempts.incrementAndGet();
      return Mono.error(new IllegalStateException("payment declined"));
    });
    Event<Map<String, Object>> order = Event.of("order.placed", Map.of("orderId", "o-1", "total", 5));

    publish(bus, order);

    deadLetters.awaitSize(1);
    Event<?> deadLetter = deadLetters.single();
    assertThat(attempts.get()).as("attempts before dead-lettering").isEqualTo(3);
    assertThat(deadLetter.topic()).isEqualTo("order.placed.dlq");
    assertThat(deadLetter.payload()).isEqualTo(order.payload());
    assertThat(deadLetter.correlationId()).isEqualTo(order.correlationId());
    assertThat(deadLetter.headers().values()).as("headers describing the error: %s", deadLetter.headers())
        .anyMatch(value -> value.contains("payment declined"));
    eventually().untilAsserted(() -> assertThat(bus.stats().failed()).isEqualTo(1));
    lifecycle.awaitCount(LifecycleEvent.Type.HANDLER_FAILED, event -> order.id().equals(event.eventId()), 1);
    LifecycleEvent moved = lifecycle.await(LifecycleEvent.Type.EVENT_DEAD_LETTERED,
        event -> order.id().equals(event.eventId()));
    assertThat(moved.reason()).contains("order.placed.dlq");
  }

  @Test
  @DisplayName("a handler that succeeds on a retry is neither dead-lettered nor counted as failed")
  void aHandlerThatSucceedsOnARetryIsNotDeadLettered() {
    EventBus bus = buses.started();
    AtomicInteger attempts = new AtomicInteger();
    EventLog handled = new EventLog();
    EventLog deadLetters = new EventLog();
    subscribe(bus, "#.dlq", deadLetters.handler());
    subscribe(bus, "order.placed", SubscribeOptions.defaults().async(true).retry(THREE_QUICK_ATTEMPTS), event -> {
      if (event.payload().equals("flaky") && attempts.getAndIncrement() == 0) {
        return Mono.error(new IllegalStateException("try again"));
      }
      handled.add(event);
      return Mono.empty();
    });

    publish(bus, "order.placed", "flaky");
    publish(bus, "order.placed", "marker");

    handled.awaitSize(2);
    assertThat(handled.payloads()).containsExactly("flaky", "marker");
    assertThat(attempts.get()).isEqualTo(2);
    assertThat(bus.stats().failed()).isZero();
    assertThat(deadLetters.size()).isZero();
  }

  @Test
  @DisplayName("deadLetter(topic) sends events whose handler failed to that topic")
  void anExplicitDeadLetterTopicReceivesFailedEvents() {
    EventBus bus = buses.started();
    EventLog explicit = new EventLog();
    EventLog defaultTopic = new EventLog();
    subscribe(bus, "audit.failed", explicit.handler());
    subscribe(bus, "order.placed.dlq", defaultTopic.handler());
    subscribe(bus, "order.placed", SubscribeOptions.defaults().async(true).deadLetter("audit.failed"),
        event -> Mono.error(new IllegalStateException("no stock")));
    Event<String> order = Event.of("order.placed", "o-1");

    publish(bus, order);

    explicit.awaitSize(1);
    assertThat(explicit.single().payload()).isEqualTo("o-1");
    assertThat(explicit.single().headers().values()).anyMatch(value -> value.contains("no stock"));
    assertThat(defaultTopic.size()).isZero();
  }

  @Test
  @DisplayName("without retries or a dead-letter topic, a failure is only counted and reported")
  void withoutRetriesOrDeadLetterAFailureIsOnlyReported() {
    EventBus bus = buses.started();
    LifecycleRecorder lifecycle = buses.lifecycleOf(bus);
    EventLog everything = new EventLog();
    EventLog handled = new EventLog();
    subscribe(bus, "#", everything.handler());
    subscribe(bus, "order.placed", SubscribeOptions.defaults().async(true), event -> {
      if (event.payload().equals("fails")) {
        return Mono.error(new IllegalStateException("boom"));
      }
      handled.add(event);
      return Mono.empty();
    });

    publish(bus, "order.placed", "fails");
    publish(bus, "order.placed", "marker");

    handled.awaitSize(1);
    eventually().untilAsserted(() -> assertThat(bus.stats().failed()).isEqualTo(1));
    assertThat(everything.events()).extracting(Event::topic).containsExactly("order.placed", "order.placed");
    assertThat(lifecycle.ofType(LifecycleEvent.Type.EVENT_DEAD_LETTERED)).isEmpty();
  }
}
