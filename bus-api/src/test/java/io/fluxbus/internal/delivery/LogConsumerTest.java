package io.fluxbus.internal.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fluxbus.EngineUnavailableException;
import io.fluxbus.Event;
import io.fluxbus.PublishResult;
import io.fluxbus.RetryPolicy;
import io.fluxbus.StartPosition;
import io.fluxbus.SubscribeOptions;
import io.fluxbus.Subscription;
import io.fluxbus.spi.Delivery;
import io.fluxbus.spi.DurableLog;
import io.fluxbus.spi.LogConsumer;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

/**
 * The core's side of log-served subscriptions, against a {@link DurableLog} that records what the bus asks of it
 * and hands events over as a test says: which subscriptions go to the log, how members share events, and what each
 * {@link Delivery} says.
 */
class LogConsumerTest {

  private static final Duration WAIT = Duration.ofSeconds(5);

  private final RecordingLog log = new RecordingLog();
  private final LocalEventBus bus = new LocalEventBus(LocalSettings.builder("test").workers(2).build(), log);

  @AfterEach
  void stop() {
    bus.stop().block(WAIT);
  }

  private LogConsumer only() {
    assertThat(log.consumers).hasSize(1);
    return log.consumers.get(0);
  }

  @Test
  @DisplayName("groups and replays are served from the log: not offered at publish, not counted, counted once as a "
      + "subscriber")
  void groupsAndReplaysGoToTheLog() {
    bus.start().block(WAIT);
    Queue<Object> ordinary = new ConcurrentLinkedQueue<>();
    bus.subscribe("order.*", event -> Mono.fromRunnable(() -> ordinary.add(event.payload()))).block(WAIT);
    bus.subscribe("order.*", SubscribeOptions.defaults().group("billing"), event -> Mono.empty()).block(WAIT);
    bus.subscribe("order.*", SubscribeOptions.defaults().group("billing").async(true), event -> Mono.empty())
        .block(WAIT);
    bus.subscribe("order.#", SubscribeOptions.defaults().startFrom(StartPosition.earliest()), event -> Mono.empty())
        .block(WAIT);

    PublishResult result = bus.publish("order.placed", 1).block(WAIT);

    assertThat(result.delivered()).as("only the ordinary subscription takes it at publish").isEqualTo(1);
    assertThat(ordinary).containsExactly(1);
    assertThat(log.consumers).extracting(LogConsumer::id)
        .containsExactly("group:billing:order.*", "test-4");
    assertThat(bus.subscriberCount("order.placed")).as("ordinary + group + replay").isEqualTo(3);
  }

  @Test
  @DisplayName("members of a group take events in turn, each event once, and the engine learns each was handled")
  void membersShareEventsAndEachIsHandled() {
    bus.start().block(WAIT);
    Queue<String> handled = new ConcurrentLinkedQueue<>();
    for (String member : List.of("a", "b")) {
      bus.subscribe("order.*", SubscribeOptions.defaults().group("billing"),
          event -> Mono.fromRunnable(() -> handled.add(member + ":" + event.payload()))).block(WAIT);
    }
    LogConsumer consumer = only();
    assertThat(consumer.concurrency()).isEqualTo(2);

    List<Delivery> outcomes = Flux.range(0, 4)
        .concatMap(i -> consumer.deliver(Event.of("order.placed", i)))
        .collectList().block(WAIT);

    assertThat(outcomes).containsOnly(Delivery.Handled.INSTANCE).hasSize(4);
    assertThat(handled).containsExactlyInAnyOrder("a:0", "b:1", "a:2", "b:3");
    assertThat(bus.stats().delivered()).isEqualTo(4);
  }

  @Test
  @DisplayName("a last failure is counted and comes back with the dead letter for the engine to append")
  void aFailureComesBackWithItsDeadLetter() {
    bus.start().block(WAIT);
    bus.subscribe("order.*", SubscribeOptions.defaults().group("billing")
            .retry(RetryPolicy.exponential(2, Duration.ofMillis(1), Duration.ofMillis(2))),
        event -> Mono.error(new IllegalStateException("card expired"))).block(WAIT);
    Event<Object> failing = Event.builder("order.placed", (Object) "o-1").key("c-7").build();

    Delivery outcome = only().deliver(failing).block(WAIT);

    assertThat(outcome).isInstanceOfSatisfying(Delivery.Failed.class, failed -> {
      assertThat(failed.attempts()).isEqualTo(2);
      assertThat(failed.error()).contains("IllegalStateException").contains("card expired");
      Event<Object> letter = failed.deadLetter().orElseThrow();
      assertThat(letter.topic()).isEqualTo("order.placed.dlq");
      assertThat(letter.key()).isEqualTo("c-7");
      assertThat(letter.causationId()).isEqualTo(failing.id());
      assertThat(letter.headers()).containsEntry("dlqgroup", "billing").containsEntry("dlqattempts", "2");
    });
    assertThat(bus.stats().failed()).isEqualTo(1);
  }

  @Test
  @DisplayName("a Flux member takes an event only with demand; without it the delivery waits, losing nothing")
  void aFluxMemberTakesEventsOnDemand() {
    bus.start().block(WAIT);
    Flux<Event<Object>> member = bus.subscribe("order.*", Object.class, SubscribeOptions.defaults().group("billing"));

    List<CompletableFuture<Delivery>> pending = new CopyOnWriteArrayList<>();
    StepVerifier.create(member, 0)
        .expectSubscription()
        .then(() -> pending.add(log.deliverLater(Event.of("order.placed", 1))))
        .then(() -> assertThat(log.outcomes).isEmpty())
        .thenRequest(1)
        .assertNext(event -> assertThat(event.payload()).isEqualTo(1))
        // the member settles the delivery on the worker once onNext returned, which may be after this thread looks
        .then(() -> assertThat(pending.get(0)).succeedsWithin(WAIT).isEqualTo(Delivery.Handled.INSTANCE))
        .then(() -> assertThat(log.outcomes).containsExactly(Delivery.Handled.INSTANCE))
        .thenCancel()
        .verify(WAIT);
    assertThat(bus.stats().dropped()).isZero();
  }

  @Test
  @DisplayName("when the last member leaves, the engine's reading is disposed and events not taken come back")
  void theLastMemberLeavingReturnsWhatWasNotTaken() {
    bus.start().block(WAIT);
    Sinks.Empty<Void> gate = Sinks.empty();
    Sinks.Empty<Void> started = Sinks.empty();
    Subscription member = bus.subscribe("order.*", SubscribeOptions.defaults().group("billing"),
        event -> {
          started.tryEmitEmpty();
          return gate.asMono();
        }).block(WAIT);
    LogConsumer consumer = only();
    Mono<Delivery> inHand = consumer.deliver(Event.of("order.placed", 1)).cache();
    inHand.subscribe();
    started.asMono().block(WAIT);
    Mono<Delivery> waiting = consumer.deliver(Event.of("order.placed", 2));

    member.cancel().block(WAIT);

    StepVerifier.create(waiting).expectNext(Delivery.Returned.INSTANCE).verifyComplete();
    assertThat(log.disposed).isTrue();
    gate.tryEmitEmpty();
    StepVerifier.create(inHand).expectNext(Delivery.Handled.INSTANCE).verifyComplete();
  }

  @Test
  @DisplayName("when the log cannot be read, the subscription fails with the engine's error and is removed")
  void anAttachFailureFailsTheSubscription() {
    bus.start().block(WAIT);
    log.failWith = new EngineUnavailableException("log unreachable at db:5432");

    assertThatThrownBy(() -> bus.subscribe("order.*", SubscribeOptions.defaults().group("billing"),
        event -> Mono.empty()).block(WAIT))
        .isInstanceOf(EngineUnavailableException.class).hasMessageContaining("db:5432");
    assertThat(bus.topics()).isEmpty();
    assertThat(bus.subscriberCount("order.placed")).isZero();
  }

  @Test
  @DisplayName("every log-served Flux completes when the bus stops, however its members' leaving interleaves")
  void everyLogServedFluxCompletesOnStop() {
    for (int round = 0; round < 10; round++) {
      bus.start().block(WAIT);
      List<StepVerifier> completions = new java.util.ArrayList<>();
      for (int i = 0; i < 20; i++) {
        completions.add(StepVerifier.create(bus.subscribe("order.*", Object.class,
            SubscribeOptions.defaults().group("g" + (i % 3)))).expectComplete().verifyLater());
      }

      bus.stop().block(WAIT);

      completions.forEach(completion -> completion.verify(WAIT));
    }
  }

  @Test
  @DisplayName("a subscription cancelled before the log is being read for it leaves no member behind")
  void aSubscriptionCancelledWhileAttachingLeavesNothing() {
    bus.start().block(WAIT);
    log.attachNever = true;

    StepVerifier.create(bus.subscribe("order.*", SubscribeOptions.defaults().group("billing"), event -> Mono.empty()))
        .expectSubscription()
        .thenCancel()
        .verify(WAIT);

    assertThat(bus.topics()).isEmpty();
    assertThat(bus.subscriberCount("order.placed")).isZero();
  }

  /** A durable log that records consumers and hands over events when a test asks. */
  private static final class RecordingLog implements DurableLog {
    final List<LogConsumer> consumers = new CopyOnWriteArrayList<>();
    final List<Delivery> outcomes = new CopyOnWriteArrayList<>();
    volatile RuntimeException failWith;
    volatile boolean attachNever;
    volatile boolean disposed;

    @Override
    public Mono<Disposable> attach(LogConsumer consumer) {
      if (failWith != null) {
        return Mono.error(failWith);
      }
      if (attachNever) {
        return Mono.never();
      }
      consumers.add(consumer);
      return Mono.just(() -> disposed = true);
    }

    /** Hands an event to the only consumer without waiting for the outcome, which is recorded and returned. */
    CompletableFuture<Delivery> deliverLater(Event<Object> event) {
      return consumers.get(0).deliver(event).doOnNext(outcomes::add).toFuture();
    }
  }
}
