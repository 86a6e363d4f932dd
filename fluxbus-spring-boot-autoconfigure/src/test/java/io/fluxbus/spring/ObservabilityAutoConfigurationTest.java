package io.fluxbus.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxbus.EventBus;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistryAssert;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthContributors;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

@DisplayName("metrics, health and the endpoint: when they are configured and what they say")
class ObservabilityAutoConfigurationTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(FluxbusAutoConfiguration.class, FluxbusHealthAutoConfiguration.class,
          FluxbusEndpointAutoConfiguration.class));

  @Test
  @DisplayName("the bus's meters are bound to the application's MeterRegistry, tagged with the engine")
  void metricsBound() {
    runner.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
            SimpleMetricsExportAutoConfiguration.class))
        .run(context -> {
          context.getBean(EventBus.class).publish("orders.placed", "o-1").block(TIMEOUT);
          MeterRegistry registry = context.getBean(MeterRegistry.class);
          assertThat(registry.get("fluxbus.events.published").tag("engine", "memory").functionCounter().count())
              .isEqualTo(1.0);
        });
  }

  @Test
  @DisplayName("with the application's ObservationRegistry, every engine observes publishes and deliveries in it")
  void observationRegistryHandedToEveryEngine() {
    TestObservationRegistry observations = TestObservationRegistry.create();
    runner.withBean(ObservationRegistry.class, () -> observations)
        .withPropertyValues("fluxbus.engines[0].name=fast", "fluxbus.engines[0].type=memory",
            "fluxbus.engines[1].name=slow", "fluxbus.engines[1].type=memory",
            "fluxbus.routing[0].topics=audit.#", "fluxbus.routing[0].engine=slow")
        .run(context -> {
          EventBus bus = context.getBean(EventBus.class);
          bus.subscribe("#", event -> reactor.core.publisher.Mono.empty()).block(TIMEOUT);
          bus.publish("orders.placed", "o-1").block(TIMEOUT);
          bus.publish("audit.entry", "a-1").block(TIMEOUT);

          TestObservationRegistryAssert.assertThat(observations)
              .hasNumberOfObservationsWithNameEqualTo("fluxbus.publish", 2)
              .hasNumberOfObservationsWithNameEqualTo("fluxbus.process", 2)
              .hasAnObservation(observation -> observation.hasNameEqualTo("fluxbus.publish")
                  .hasLowCardinalityKeyValue("fluxbus.engine", "slow"));
        });
  }

  /** A blocking listener that records the observation in scope while it runs. */
  static class BlockingListener {
    final java.util.Queue<Object> seen = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final ObservationRegistry registry;

    BlockingListener(ObservationRegistry registry) {
      this.registry = registry;
    }

    @FluxbusListener(id = "blocking-audit", pattern = "audit.#")
    void audit(String entry) {
      io.micrometer.observation.Observation current = registry.getCurrentObservation();
      seen.add(current == null ? "none" : current.getContext());
    }
  }

  @Test
  @DisplayName("a blocking listener runs inside its delivery's observation; fluxbus.observations.enabled=false observes nothing")
  void blockingListenerObservedAndSwitch() {
    TestObservationRegistry observations = TestObservationRegistry.create();
    runner.withBean(ObservationRegistry.class, () -> observations)
        .withBean(BlockingListener.class, () -> new BlockingListener(observations))
        .run(context -> {
          context.getBean(EventBus.class).publish("audit.entry", "a-1").block(TIMEOUT);
          BlockingListener listener = context.getBean(BlockingListener.class);
          org.awaitility.Awaitility.await().atMost(TIMEOUT).until(() -> listener.seen.size() == 1);
          assertThat(listener.seen.peek()).isInstanceOf(io.fluxbus.observation.ProcessContext.class);
        });
    TestObservationRegistry unused = TestObservationRegistry.create();
    runner.withBean(ObservationRegistry.class, () -> unused)
        .withPropertyValues("fluxbus.observations.enabled=false")
        .run(context -> {
          context.getBean(EventBus.class).publish("orders.placed", "o-1").block(TIMEOUT);
          TestObservationRegistryAssert.assertThat(unused).doesNotHaveAnyObservation();
        });
  }

  @Test
  @DisplayName("each engine has a health indicator under 'fluxbus': UP while running, DOWN with its state once stopped")
  void healthPerEngine() {
    runner.withPropertyValues("fluxbus.engines[0].name=fast", "fluxbus.engines[0].type=memory",
            "fluxbus.engines[1].name=slow", "fluxbus.engines[1].type=memory")
        .run(context -> {
          CompositeHealthContributor fluxbus = context.getBean("fluxbusHealthContributor",
              CompositeHealthContributor.class);
          assertThat(fluxbus.stream().map(HealthContributors.Entry::name)).containsExactly("fast", "slow");
          Health fast = health(fluxbus.getContributor("fast"));
          assertThat(fast.getStatus()).isEqualTo(Status.UP);
          assertThat(fast.getDetails()).containsEntry("state", "RUNNING").containsOnlyKeys("state", "since");

          context.stop();
          Health stopped = health(fluxbus.getContributor("slow"));
          assertThat(stopped.getStatus()).isEqualTo(Status.DOWN);
          assertThat(stopped.getDetails()).containsEntry("state", "STOPPED");
        });
  }

  @Test
  @DisplayName("no health contributor without Spring Boot's health classes, or with management.health.fluxbus.enabled=false")
  void healthConditions() {
    runner.withClassLoader(new FilteredClassLoader(HealthContributor.class))
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean("fluxbusHealthContributor"));
    runner.withPropertyValues("management.health.fluxbus.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean("fluxbusHealthContributor"));
  }

  @Test
  @DisplayName("the endpoint exists once exposed and reports engines, counters, subscriptions and listeners")
  void endpoint() {
    runner.run(context -> assertThat(context).doesNotHaveBean(FluxbusEndpoint.class));
    runner.withPropertyValues("management.endpoints.web.exposure.include=fluxbus")
        .withBean(FluxbusListenerTest.Listeners.class)
        .run(context -> {
          EventBus bus = context.getBean(EventBus.class);
          bus.publish("orders.placed", new FluxbusListenerTest.Order("o-1", 3)).block(TIMEOUT);
          FluxbusEndpoint.Report report = context.getBean(FluxbusEndpoint.class).report();

          assertThat(report.running()).isTrue();
          assertThat(report.stats().published()).isEqualTo(1);
          assertThat(report.engines()).containsOnlyKeys("memory");
          assertThat(report.engines().get("memory").state()).isEqualTo("RUNNING");
          assertThat(report.listeners()).extracting(FluxbusEndpoint.ListenerReport::id)
              .containsExactlyInAnyOrder("typed-event", "payload", "blocking", "pipeline");
          assertThat(report.subscriptions())
              .filteredOn(s -> "typed-event".equals(s.listener()))
              .singleElement()
              .satisfies(s -> {
                assertThat(s.pattern()).isEqualTo("orders.*");
                assertThat(s.kind()).isEqualTo("sync handler");
                assertThat(s.engines()).containsExactly("memory");
              });
          // the pipeline's subscription is listed by pattern; the API gives no id to tie it to its listener
          assertThat(report.subscriptions()).extracting(FluxbusEndpoint.SubscriptionReport::pattern)
              .contains("orders.#");
          // a subscription the application made itself says what it is too
          bus.subscribe("audit.#", io.fluxbus.SubscribeOptions.defaults().async(true).group("auditors"),
              event -> reactor.core.publisher.Mono.empty()).block(TIMEOUT);
          assertThat(context.getBean(FluxbusEndpoint.class).report().subscriptions())
              .filteredOn(s -> "audit.#".equals(s.pattern()))
              .singleElement()
              .satisfies(s -> {
                assertThat(s.kind()).isEqualTo("async handler");
                assertThat(s.group()).isEqualTo("auditors");
                assertThat(s.listener()).isNull();
              });
        });
  }

  private static Health health(HealthContributor contributor) {
    return ((HealthIndicator) contributor).health();
  }
}
