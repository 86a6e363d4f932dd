package io.fluxbus.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxbus.Event;
import io.fluxbus.EventBus;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

@DisplayName("@FluxbusListener methods: signatures, registration, retries and dead letters")
class FluxbusListenerTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  /** A payload the listeners take typed. */
  public record Order(String id, double total) {}

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(FluxbusAutoConfiguration.class));

  /** What the listeners saw, by listener. */
  static final class Seen {
    final List<Object> events = new CopyOnWriteArrayList<>();
    final List<String> threads = new CopyOnWriteArrayList<>();
  }

  static class Listeners {
    final Seen seen = new Seen();

    @FluxbusListener(pattern = "orders.*", id = "typed-event", async = false)
    Mono<Void> typedEvent(Event<Order> event) {
      return Mono.fromRunnable(() -> seen.events.add("event:" + event.payload().id() + ":" + event.topic()));
    }

    @FluxbusListener(pattern = "orders.placed", id = "payload")
    Mono<Void> payload(Order order) {
      return Mono.fromRunnable(() -> seen.events.add("payload:" + order.id()));
    }

    @FluxbusListener(pattern = "orders.placed", id = "blocking")
    void blocking(Order order) {
      seen.threads.add(Thread.currentThread().getName());
      seen.events.add("blocking:" + order.id());
    }

    @FluxbusListener(pattern = "orders.#", id = "pipeline", group = "totals")
    Flux<Double> pipeline(Flux<Event<Order>> orders) {
      return orders.map(e -> e.payload().total()).doOnNext(total -> seen.events.add("pipeline:" + total));
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class ListenerConfig {
    @Bean
    Listeners listeners() {
      return new Listeners();
    }
  }

  @Test
  @DisplayName("every accepted signature gets the events of its pattern, payloads converted to the method's type")
  void everySignatureReceives() {
    runner.withUserConfiguration(ListenerConfig.class).run(context -> {
      EventBus bus = context.getBean(EventBus.class);
      Seen seen = context.getBean(Listeners.class).seen;

      // a Map payload is converted to Order through the codec, as Event.payloadAs does
      bus.publish("orders.placed", Map.of("id", "o-1", "total", 42.5)).block(TIMEOUT);

      org.awaitility.Awaitility.await().atMost(TIMEOUT).untilAsserted(() -> assertThat(seen.events)
          .containsExactlyInAnyOrder("event:o-1:orders.placed", "payload:o-1", "blocking:o-1", "pipeline:42.5"));
      assertThat(seen.threads).singleElement().asString().startsWith("boundedElastic");
    });
  }

  @Test
  @DisplayName("listeners are subscribed before other lifecycle beans start, and removed when the bus stops")
  void registeredBeforeLifecycleBeans() {
    // catches: starting the bus (or subscribing listeners) in FluxbusLifecycle's own phase, the last one, where
    // EarlyPublisher's publish is refused with BusNotStartedException
    runner.withUserConfiguration(ListenerConfig.class, EarlyPublisher.class).run(context -> {
      Seen seen = context.getBean(Listeners.class).seen;
      // EarlyPublisher published in its start(), in an earlier phase than the web server's: the sync listener saw it
      assertThat(seen.events).contains("event:early:orders.early");
    });
  }

  @Test
  @DisplayName("stopping the context removes the listeners with the bus; starting it again subscribes them again")
  void stopAndStartAgain() {
    runner.withUserConfiguration(ListenerConfig.class).run(context -> {
      EventBus bus = context.getBean(EventBus.class);
      assertThat(bus.topics()).contains("orders.*", "orders.placed", "orders.#");

      context.stop();
      assertThat(bus.topics()).isEmpty();
      context.start();
      assertThat(bus.topics()).contains("orders.*", "orders.placed", "orders.#");
    });
  }

  @Configuration(proxyBeanMethods = false)
  static class EarlyPublisher {
    @Bean
    SmartLifecycle earlyPublisher(EventBus bus) {
      return new SmartLifecycle() {
        private volatile boolean running;

        @Override
        public void start() {
          bus.publish("orders.early", new Order("early", 1)).block(TIMEOUT);
          running = true;
        }

        @Override
        public void stop() {
          running = false;
        }

        @Override
        public boolean isRunning() {
          return running;
        }

        @Override
        public int getPhase() {
          return SmartLifecycle.DEFAULT_PHASE - 4096;
        }
      };
    }
  }

  static class Failing {
    @FluxbusListener(pattern = "pay.*", id = "payments", maxAttempts = 2, firstBackoff = "1ms",
        deadLetter = "pay.failed")
    Mono<Void> pay(Event<Object> event) {
      return Mono.error(new IllegalStateException("card declined"));
    }
  }

  @Test
  @DisplayName("a failing handler is retried and dead-lettered by the annotation's settings")
  void handlerRetryAndDeadLetter() {
    runner.withBean(Failing.class).run(context -> {
      EventBus bus = context.getBean(EventBus.class);
      StepVerifier.create(bus.subscribe("pay.failed").take(1))
          .then(() -> bus.publish("pay.card", "p-1").subscribe())
          .assertNext(letter -> {
            assertThat(letter.headers()).containsEntry("dlqattempts", "2").containsEntry("dlqtopic", "pay.card");
            assertThat(letter.headers().get("dlqerror")).contains("card declined");
          })
          .expectComplete()
          .verify(TIMEOUT);
    });
  }

  @Test
  @DisplayName("fluxbus.listeners.<id>.* override the annotation's retry and dead-letter settings")
  void propertiesOverride() {
    runner.withBean(Failing.class)
        .withPropertyValues("fluxbus.listeners.payments.max-attempts=3",
            "fluxbus.listeners.payments.first-backoff=1ms", "fluxbus.listeners.payments.dead-letter=pay.parked")
        .run(context -> {
          EventBus bus = context.getBean(EventBus.class);
          StepVerifier.create(bus.subscribe("pay.parked").take(1))
              .then(() -> bus.publish("pay.card", "p-2").subscribe())
              .assertNext(letter -> assertThat(letter.headers()).containsEntry("dlqattempts", "3"))
              .expectComplete()
              .verify(TIMEOUT);
        });
  }

  static class DefaultId {
    @FluxbusListener(pattern = "pay.*", maxAttempts = 5, firstBackoff = "1ms")
    Mono<Void> pay(Event<Object> event) {
      return Mono.error(new IllegalStateException("declined"));
    }
  }

  @Test
  @DisplayName("a listener without an id is configured as fluxbus.listeners[<beanName>.<methodName>]")
  void defaultIdInProperties() {
    runner.withBean("payments", DefaultId.class)
        .withPropertyValues("fluxbus.listeners[payments.pay].max-attempts=1",
            "fluxbus.listeners[payments.pay].dead-letter=pay.parked")
        .run(context -> {
          EventBus bus = context.getBean(EventBus.class);
          StepVerifier.create(bus.subscribe("pay.parked").take(1))
              .then(() -> bus.publish("pay.card", "p-3").subscribe())
              .assertNext(letter -> assertThat(letter.headers()).containsEntry("dlqattempts", "1"))
              .expectComplete()
              .verify(TIMEOUT);
        });
  }

  static class FailingPipeline {
    final List<String> handled = new CopyOnWriteArrayList<>();

    @FluxbusListener(pattern = "jobs.*", id = "jobs", maxAttempts = 3, firstBackoff = "1ms", maxBackoff = "5ms")
    Flux<String> jobs(Flux<Event<String>> jobs) {
      return jobs.map(job -> {
        if (job.payload().startsWith("poison")) {
          throw new IllegalArgumentException("cannot run " + job.payload());
        }
        return job.payload();
      }).doOnNext(handled::add);
    }
  }

  @Test
  @DisplayName("a pipeline that fails on an event is subscribed again with that event first, then dead-letters it "
      + "and goes on with the next events")
  void pipelineRetryAndDeadLetter() {
    // catches: giving up on the pipeline after an error (no 'after' handled), or dropping the failed event silently
    // (no letter), or retrying without offering the event again (dlqattempts 1)
    runner.withBean(FailingPipeline.class).run(context -> {
      EventBus bus = context.getBean(EventBus.class);
      FailingPipeline pipeline = context.getBean(FailingPipeline.class);
      StepVerifier.create(bus.subscribe("jobs.run.dlq").take(1))
          .then(() -> bus.publish("jobs.run", "before").then(bus.publish("jobs.run", "poison-1")).subscribe())
          .assertNext(letter -> {
            assertThat(letter.payload()).isEqualTo("poison-1");
            assertThat(letter.headers()).containsEntry("dlqattempts", "3").containsEntry("dlqlistener", "jobs");
            assertThat(letter.headers().get("dlqerror")).contains("cannot run poison-1");
          })
          .expectComplete()
          .verify(TIMEOUT);
      org.awaitility.Awaitility.await().atMost(TIMEOUT).untilAsserted(() -> {
        bus.publish("jobs.run", "after").block(TIMEOUT);
        assertThat(pipeline.handled).contains("before", "after");
      });
      assertThat(pipeline.handled).doesNotContain("poison-1");
      FluxbusLifecycle lifecycle = context.getBean(FluxbusLifecycle.class);
      assertThat(lifecycle.listeners()).singleElement().satisfies(l -> {
        assertThat(l.state()).isEqualTo("running");
        assertThat(l.failures()).isEqualTo(3);
      });
    });
  }
}
