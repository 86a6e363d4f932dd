package io.fluxbus.test;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxbus.Event;
import io.fluxbus.EventBus;
import io.fluxbus.LifecycleEvent;
import io.fluxbus.PublishResult;
import io.fluxbus.Subscription;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;

/**
 * A failing subscriber (handler error, handler throwing, Flux subscriber whose onNext throws) never reaches the
 * publisher or another subscriber: it is counted in {@code stats().failed} and reported as HANDLER_FAILED.
 */
abstract class FailureIsolationContract extends ContractPart {

  FailureIsolationContract(BusFixture buses) {
    super(buses);
  }

  /** Ways a subscriber can fail on an event. */
  enum Failure {
    HANDLER_MONO_ERROR,
    HANDLER_THROWS,
    FLUX_ON_NEXT_THROWS;

    void subscribeFailing(EventBus bus, String pattern) {
      switch (this) {
        case HANDLER_MONO_ERROR -> subscribe(bus, pattern, event -> Mono.error(new IllegalStateException("boom")));
        case HANDLER_THROWS -> subscribe(bus, pattern, event -> {
          throw new IllegalStateException("boom");
        });
        case FLUX_ON_NEXT_THROWS -> bus.subscribe(pattern).subscribe(new ThrowingSubscriber());
      }
    }
  }

  /** Breaks Reactive Streams rule 2.13 on purpose: the bus must survive it. */
  private static final class ThrowingSubscriber implements CoreSubscriber<Event<Object>> {
    @Override
    public void onSubscribe(org.reactivestreams.Subscription subscription) {
      subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(Event<Object> event) {
      throw new IllegalStateException("boom");
    }

    @Override
    public void onError(Throwable throwable) {
    }

    @Override
    public void onComplete() {
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Failure.class)
  @DisplayName("a failing subscriber does not affect the publisher or the other subscribers")
  void aFailingSubscriberDoesNotAffectOthers(Failure failure) {
    EventBus bus = buses.started();
    LifecycleRecorder lifecycle = buses.lifecycleOf(bus);
    failure.subscribeFailing(bus, "order.placed");
    EventLog healthy = new EventLog();
    subscribe(bus, "order.placed", healthy.handler());

    PublishResult result = publish(bus, "order.placed", "o-1");

    assertThat(result.delivered()).as("the failing and the healthy subscriber both took the event").isEqualTo(2);
    assertThat(healthy.ids()).containsExactly(result.eventId());
    eventually().untilAsserted(() -> assertThat(bus.stats().failed()).isEqualTo(1));
    LifecycleEvent reported = lifecycle.await(LifecycleEvent.Type.HANDLER_FAILED,
        event -> result.eventId().equals(event.eventId()));
    assertThat(reported.pattern()).isEqualTo("order.placed");
    assertThat(reported.reason()).contains("boom");
  }

  @Test
  @DisplayName("a failed delivery counts as delivered and as failed")
  void aFailedDeliveryCountsAsDeliveredAndFailed() {
    EventBus bus = buses.started();
    subscribe(bus, "order.placed", event -> Mono.error(new IllegalStateException("boom")));

    publish(bus, "order.placed", "o-1");

    eventually().untilAsserted(() -> assertThat(bus.stats().failed()).isEqualTo(1));
    assertThat(bus.stats().delivered()).isEqualTo(1);
    assertThat(bus.stats().dropped()).isZero();
  }

  @ParameterizedTest(name = "async: {0}")
  @ValueSource(booleans = {false, true})
  @DisplayName("a handler that failed on one event still receives the next ones")
  void aHandlerThatFailedStillReceivesTheNextEvents(boolean async) {
    EventBus bus = buses.started();
    AtomicInteger calls = new AtomicInteger();
    EventLog handled = new EventLog();
    Subscription subscription = subscribe(bus, "order.placed", options(async), event -> {
      if (calls.getAndIncrement() == 0) {
        return Mono.error(new IllegalStateException("boom"));
      }
      handled.add(event);
      return Mono.empty();
    });

    publish(bus, "order.placed", "first");
    publish(bus, "order.placed", "second");
    publish(bus, "order.placed", "third");

    handled.awaitSize(2);
    assertThat(handled.payloads()).containsExactly("second", "third");
    assertThat(subscription.isActive()).isTrue();
  }

  @Test
  @DisplayName("a failing async handler does not fail the publish")
  void aFailingAsyncHandlerDoesNotFailThePublish() {
    EventBus bus = buses.started();
    bus.subscribeAsync("order.placed", event -> Mono.error(new IllegalStateException("boom"))).block(WAIT);

    PublishResult result = publish(bus, "order.placed", "o-1");

    assertThat(result.delivered()).isEqualTo(1);
    eventually().untilAsserted(() -> assertThat(bus.stats().failed()).isEqualTo(1));
  }
}
