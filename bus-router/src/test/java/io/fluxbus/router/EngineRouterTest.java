package io.fluxbus.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fluxbus.BusException;
import io.fluxbus.EngineUnavailableException;
import io.fluxbus.Event;
import io.fluxbus.EventBus;
import io.fluxbus.InvalidPatternException;
import io.fluxbus.PublishResult;
import io.fluxbus.Subscription;
import io.fluxbus.UnknownEngineException;
import io.fluxbus.memory.MemoryEventBus;
import io.fluxbus.spi.ForwardingEventBus;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** What the router does beyond the engine contract: routing decisions, merging, start and stop across engines. */
class EngineRouterTest {

  private static final Duration WAIT = Duration.ofSeconds(5);

  private final MemoryEventBus fast = MemoryEventBus.builder().name("fast").build();
  private final MemoryEventBus durable = MemoryEventBus.builder().name("durable").build();
  private final List<EventBus> toStop = new ArrayList<>();

  private EngineRouter router() {
    EngineRouter router = EngineRouter.builder()
        .engine("fast", fast)
        .engine("durable", durable)
        .route("durable", "orders.#", "billing.#")
        .route("fast", "user.admin.#")
        .route("durable", "user.#")
        .defaultEngine("fast")
        .build();
    toStop.add(router);
    router.start().block(WAIT);
    return router;
  }

  @AfterEach
  void stopAll() {
    for (EventBus bus : toStop) {
      bus.stop().onErrorResume(e -> Mono.empty()).block(WAIT);
    }
  }

  @Test
  @DisplayName("the first rule whose pattern matches decides the engine; unmatched topics go to the default")
  void firstMatchingRuleWins() {
    EngineRouter router = router();

    assertThat(router.engineFor("orders.created")).isEqualTo("durable");
    assertThat(router.engineFor("billing.invoice.sent")).isEqualTo("durable");
    assertThat(router.engineFor("user.admin.login")).isEqualTo("fast");
    assertThat(router.engineFor("user.admin")).isEqualTo("fast");
    assertThat(router.engineFor("user.created")).isEqualTo("durable");
    assertThat(router.engineFor("audit.log")).isEqualTo("fast");
  }

  @Test
  @DisplayName("a publish lands on the routed engine only")
  void publishGoesToTheRoutedEngine() {
    EngineRouter router = router();

    router.publish("orders.created", "o-1").block(WAIT);
    router.publish("audit.log", "a-1").block(WAIT);

    assertThat(router.stats("durable").published()).isEqualTo(1);
    assertThat(router.stats("fast").published()).isEqualTo(1);
    assertThat(router.stats().published()).isEqualTo(2);
  }

  @Test
  @DisplayName("a '#' subscription sees the events of every engine, merged")
  void wildcardSubscriptionMergesEngines() {
    EngineRouter router = router();

    StepVerifier.create(router.subscribe("#").map(Event::topic).take(3))
        .then(() -> router.publish("orders.created", 1).subscribe())
        .then(() -> router.publish("audit.log", 2).subscribe())
        .then(() -> router.publish("user.admin.login", 3).subscribe())
        .expectNext("orders.created", "audit.log", "user.admin.login")
        .expectComplete()
        .verify(WAIT);
    assertThat(router.enginesFor("#")).containsExactly("durable", "fast");
  }

  @Test
  @DisplayName("'user.*' sees 'user.admin' (routed to fast) and 'user.created' (routed to durable)")
  void patternSpanningTwoEnginesSeesBoth() {
    EngineRouter router = router();

    StepVerifier.create(router.subscribe("user.*").map(Event::topic).take(2))
        .then(() -> router.publish("user.admin", 1).subscribe())
        .then(() -> router.publish("user.created", 2).subscribe())
        .expectNext("user.admin", "user.created")
        .expectComplete()
        .verify(WAIT);
    assertThat(router.enginesFor("user.*")).containsExactly("fast", "durable");
    assertThat(router.enginesFor("orders.*")).containsExactly("durable");
  }

  @Test
  @DisplayName("a Flux spanning two engines takes exactly the subscriber's demand: without demand, either engine drops")
  void spanningFluxSharesTheSubscribersDemand() {
    EngineRouter router = router();
    List<Object> seen = new CopyOnWriteArrayList<>();
    BaseSubscriber<Event<Object>> subscriber = new BaseSubscriber<>() {
      @Override
      protected void hookOnSubscribe(org.reactivestreams.Subscription subscription) {
        subscription.request(1);
      }

      @Override
      protected void hookOnNext(Event<Object> event) {
        seen.add(event.payload());
      }
    };
    router.subscribe("user.*").subscribe(subscriber);

    PublishResult onFast = router.publish("user.admin", 1).block(WAIT);
    PublishResult onDurable = router.publish("user.created", 2).block(WAIT);
    subscriber.request(1);
    PublishResult afterRequest = router.publish("user.created", 3).block(WAIT);

    assertThat(onFast.delivered()).isEqualTo(1);
    assertThat(onDurable.dropped()).as("the other engine had no demand left").isEqualTo(1);
    assertThat(afterRequest.delivered()).isEqualTo(1);
    assertThat(seen).containsExactly(1, 3);
    subscriber.dispose();
  }

  @Test
  @DisplayName("a handler subscription spans engines; cancelling it removes it everywhere")
  void handlerSubscriptionIsRemovedEverywhere() {
    EngineRouter router = router();
    List<String> seen = new CopyOnWriteArrayList<>();
    Subscription subscription = router.subscribe("user.*", e -> Mono.fromRunnable(() -> seen.add(e.topic())))
        .block(WAIT);
    assertThat(router.topics()).containsExactly("user.*");
    assertThat(router.subscriberCount("user.admin")).isEqualTo(1);
    assertThat(router.subscriberCount("user.created")).isEqualTo(1);

    subscription.cancel().block(WAIT);

    assertThat(router.topics()).isEmpty();
    assertThat(router.subscriberCount("user.admin")).isZero();
    assertThat(router.subscriberCount("user.created")).isZero();
    PublishResult result = router.publish("user.created", 1).block(WAIT);
    assertThat(result.delivered()).isZero();
    assertThat(seen).isEmpty();
    assertThat(subscription.isActive()).isFalse();
  }

  @Test
  @DisplayName("when an engine fails to start, the engines already started are stopped and the error names it")
  void startFailureRollsBack() {
    MemoryEventBus first = MemoryEventBus.builder().name("first").build();
    EventBus broken = new FailingBus(Mono.error(new EngineUnavailableException("redis://127.0.0.1:1 refused")),
        Mono.empty());
    EngineRouter router = EngineRouter.builder().engine("first", first).engine("broken", broken).build();

    assertThatThrownBy(() -> router.start().block(WAIT))
        .isInstanceOf(EngineUnavailableException.class)
        .hasMessageContaining("Engine 'broken' failed to start")
        .hasMessageContaining("redis://127.0.0.1:1 refused");

    assertThatThrownBy(() -> first.publish("a", 1).block(WAIT))
        .as("the first engine was stopped again").isInstanceOf(io.fluxbus.BusNotStartedException.class);
  }

  @Test
  @DisplayName("stop stops every engine even when some fail, and reports every failure")
  void stopReportsEveryFailure() {
    MemoryEventBus healthy = MemoryEventBus.builder().name("healthy").build();
    EngineRouter router = EngineRouter.builder()
        .engine("a", new FailingBus(Mono.empty(), Mono.error(new IllegalStateException("a is stuck"))))
        .engine("healthy", healthy)
        .engine("b", new FailingBus(Mono.empty(), Mono.error(new IllegalStateException("b lost its socket"))))
        .build();
    router.start().block(WAIT);

    Throwable error = org.assertj.core.api.Assertions.catchThrowable(() -> router.stop().block(WAIT));

    assertThat(error).isInstanceOf(BusException.class).hasMessageContaining("2 engine(s) failed to stop")
        .hasMessageContaining("a: a is stuck").hasMessageContaining("b: b lost its socket");
    assertThat(error.getSuppressed()).extracting(Throwable::getMessage)
        .contains("a is stuck", "b lost its socket");
    assertThatThrownBy(() -> healthy.publish("x", 1).block(WAIT))
        .as("the healthy engine was stopped").isInstanceOf(io.fluxbus.BusNotStartedException.class);
  }

  @Test
  @DisplayName("per-engine stats count each engine's own publishes and deliveries")
  void perEngineStats() {
    EngineRouter router = router();
    router.subscribe("#").subscribe();

    router.publish("orders.created", 1).block(WAIT);
    router.publish("orders.paid", 2).block(WAIT);
    router.publish("audit.log", 3).block(WAIT);

    assertThat(router.stats("durable")).isEqualTo(new io.fluxbus.BusStats(2, 2, 0, 0));
    assertThat(router.stats("fast")).isEqualTo(new io.fluxbus.BusStats(1, 1, 0, 0));
    assertThatThrownBy(() -> router.stats("slow")).isInstanceOf(UnknownEngineException.class)
        .hasMessageContaining("'slow'").hasMessageContaining("[fast, durable]");
  }

  @Test
  @DisplayName("one metrics binding binds every engine under its own engine tag")
  void metricsBindEveryEngine() {
    EngineRouter router = router();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    io.fluxbus.BusMetrics.bind(router, registry);

    router.publish("orders.created", 1).block(WAIT);
    router.publish("audit.log", 2).block(WAIT);
    router.publish("audit.log", 3).block(WAIT);

    assertThat(registry.get("fluxbus.events.published").tag("engine", "durable").functionCounter().count())
        .isEqualTo(1.0);
    assertThat(registry.get("fluxbus.events.published").tag("engine", "fast").functionCounter().count())
        .isEqualTo(2.0);
  }

  @Test
  @DisplayName("a rule that an earlier rule shadows completely is reported as a warning")
  void shadowedRulesAreWarnings() {
    EngineRouter router = EngineRouter.builder()
        .engine("fast", MemoryEventBus.create())
        .engine("durable", MemoryEventBus.create())
        .route("durable", "orders.#")
        .route("fast", "orders.created", "audit.#")
        .build();

    assertThat(router.warnings()).singleElement().asString()
        .contains("routing rule 2 pattern 'orders.created'")
        .contains("rule 1 pattern 'orders.#'");
  }

  @Test
  @DisplayName("builder errors name the unknown engine, the duplicate name and the bad pattern")
  void builderErrors() {
    assertThatThrownBy(() -> EngineRouter.builder().engine("a", MemoryEventBus.create()).route("b", "x.#").build())
        .isInstanceOf(UnknownEngineException.class).hasMessageContaining("'b'").hasMessageContaining("[a]");
    assertThatThrownBy(() -> EngineRouter.builder().engine("a", MemoryEventBus.create())
        .engine("a", MemoryEventBus.create())).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'a' is defined twice");
    assertThatThrownBy(() -> EngineRouter.builder().route("a", "x..y")).isInstanceOf(InvalidPatternException.class)
        .hasMessageContaining("'x..y'");
    assertThatThrownBy(() -> EngineRouter.builder().build()).isInstanceOf(IllegalStateException.class);
  }

  /** A bus whose start and stop give fixed answers; it stands in for an engine whose server misbehaves. */
  private static final class FailingBus extends ForwardingEventBus {
    private final MemoryEventBus inner = MemoryEventBus.create();
    private final Mono<Void> start;
    private final Mono<Void> stop;

    FailingBus(Mono<Void> start, Mono<Void> stop) {
      this.start = start;
      this.stop = stop;
    }

    @Override
    protected EventBus delegate() {
      return inner;
    }

    @Override
    public Mono<Void> start() {
      return start;
    }

    @Override
    public Mono<Void> stop() {
      return stop;
    }
  }
}
