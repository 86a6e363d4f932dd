package io.fluxbus.internal.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.fluxbus.BusNotStartedException;
import io.fluxbus.Event;
import io.fluxbus.SubscribeOptions;
import java.time.Duration;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import reactor.core.Scannable;
import reactor.core.publisher.Hooks;
import reactor.test.StepVerifier;

/**
 * Fluxbus's own publishers are Reactor citizens: returned through {@code onAssembly} (so {@code Hooks.onOperatorDebug}
 * and the debug agent record where they were assembled) and {@link Scannable} (so tooling can name them). Each
 * check fails when the publisher is returned bare: no assembly trace names it, and {@code Scannable.from} sees an
 * unscannable publisher.
 */
@DisplayName("Fluxbus publishers are Reactor citizens: onAssembly, checkpoint() and Scannable")
class ReactorCitizenshipTest {

  private static final Duration WAIT = Duration.ofSeconds(5);

  private final LocalEventBus bus = new LocalEventBus(LocalSettings.builder("citizen").workers(1).build());

  @AfterEach
  void tearDown() {
    Hooks.resetOnOperatorDebug();
    bus.stop().block(WAIT);
  }

  @Test
  @DisplayName("with Hooks.onOperatorDebug(), a failed publish's traceback names the publish as its producer")
  void aFailedPublishCarriesItsAssemblySite() {
    Hooks.onOperatorDebug();
    // the bus is not started: the publish fails at subscription
    Throwable error = catchThrowable(() -> bus.publish(Event.of("order.placed", 1)).block(WAIT));

    assertThat(error).isInstanceOf(BusNotStartedException.class);
    assertThat(traceback(error)).contains("Assembly trace from producer [" + PublishMono.class.getName() + "]");
  }

  @Test
  @DisplayName("a checkpoint() description appears in the traceback of an error through a publish")
  void checkpointThroughAPublish() {
    Throwable error = catchThrowable(() -> bus.publish(Event.of("order.placed", 1))
        .checkpoint("placing the order").block(WAIT));

    assertThat(error).isInstanceOf(BusNotStartedException.class);
    assertThat(traceback(error)).contains("placing the order");
  }

  @Test
  @DisplayName("a checkpoint() description appears in the traceback of an error through a subscription")
  void checkpointThroughASubscription() {
    bus.start().block(WAIT);
    StepVerifier.create(bus.subscribe("order.*")
            .map(event -> {
              throw new IllegalStateException("cannot bill " + event.topic());
            })
            .checkpoint("billing pipeline"))
        .then(() -> bus.publish(Event.of("order.placed", 1)).subscribe())
        .expectErrorSatisfies(error -> assertThat(traceback(error)).contains("billing pipeline")
            .contains("cannot bill order.placed"))
        .verify(WAIT);
  }

  @Test
  @DisplayName("publishes and subscriptions are Scannable and name themselves by topic or pattern")
  void publishersAreScannable() {
    Scannable publish = Scannable.from(bus.publish(Event.of("order.placed", 1)));
    Scannable sync = Scannable.from(bus.subscribe("order.#"));
    Scannable async = Scannable.from(bus.subscribe("order.#", Object.class,
        SubscribeOptions.defaults().async(true).bufferSize(64)));

    assertThat(publish.isScanAvailable()).isTrue();
    assertThat(publish.stepName()).isEqualTo("fluxbus.publish(order.placed)");
    assertThat(publish.scan(Scannable.Attr.RUN_STYLE)).isEqualTo(Scannable.Attr.RunStyle.ASYNC);
    assertThat(sync.stepName()).isEqualTo("fluxbus.subscribe(order.#)");
    assertThat(sync.scan(Scannable.Attr.RUN_STYLE)).isEqualTo(Scannable.Attr.RunStyle.SYNC);
    assertThat(async.scan(Scannable.Attr.PREFETCH)).isEqualTo(64);
  }

  private static String traceback(Throwable error) {
    return error + "\n" + Arrays.stream(error.getSuppressed()).map(Throwable::toString)
        .collect(Collectors.joining("\n"));
  }
}
