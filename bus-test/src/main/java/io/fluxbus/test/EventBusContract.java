package io.fluxbus.test;

import io.fluxbus.EventBus;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Timeout;

/**
 * The engine contract (TCK): docs/architecture.md, "Semantics" and "Lifecycle", as executable checks, fixed once for
 * every engine. An engine's test class extends it and supplies {@link #createBus}:
 *
 * <pre>{@code
 * class MemoryEventBusContractTest extends EventBusContract {
 *   @Override
 *   protected EventBus createBus(ContractSettings settings) {
 *     return MemoryEventBus.builder().bufferSize(settings.bufferSize()).deliveryMode(settings.deliveryMode())
 *         .drainTimeout(settings.drainTimeout()).source(settings.source()).build();
 *   }
 * }
 * }</pre>
 *
 * <p>The suite creates, starts and stops buses itself: every bus made for a test is stopped after it, passed or
 * failed. Tests use only the public {@link EventBus} API, wait with {@code StepVerifier} or bounded Awaitility
 * polls (at most 10 s per step), never sleep, and assert no speeds. Time-dependent behaviour ({@code timeout}
 * delivery) runs in virtual time, which asks one thing of engines: <b>timers must be scheduled on
 * {@code Schedulers.parallel()} looked up when the publish runs</b> (as {@code Mono.delay} and
 * {@code RetryPolicy.toRetry()} do), not on a scheduler captured at construction.
 *
 * <p>Each test is limited to 30 s and runs on its own thread, so that an engine that blocks a thread fails the test
 * instead of hanging the build. The parts live in their own files, one behaviour area each, and run here as {@link
 * Nested} classes.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
public abstract class EventBusContract {

  private final BusFixture fixture = new BusFixture(this::createBus, capabilities());

  /**
   * Creates a new, not yet started bus configured with {@code settings}. Called on the test thread, once per bus a
   * test needs (some tests use several); the suite starts and stops it.
   *
   * @param settings the buffer size, delivery mode, drain timeout and source the bus must use
   * @return a new bus, never null, not shared with other calls
   */
  protected abstract EventBus createBus(ContractSettings settings);

  /**
   * The promises this engine makes beyond the common contract; {@link Capabilities#inProcess()} unless overridden.
   * Called once per test, before any bus is created.
   */
  protected Capabilities capabilities() {
    return Capabilities.inProcess();
  }

  @AfterEach
  void stopEveryBus() {
    fixture.close();
  }

  @Nested
  @DisplayName("Publish and subscribe")
  class PublishAndSubscribe extends PublishSubscribeContract {
    PublishAndSubscribe() {
      super(fixture);
    }
  }

  @Nested
  @DisplayName("Topic patterns")
  class TopicPatterns extends TopicMatchingContract {
    TopicPatterns() {
      super(fixture);
    }
  }

  @Nested
  @DisplayName("Argument validation")
  class ArgumentValidation extends ArgumentValidationContract {
    ArgumentValidation() {
      super(fixture);
    }
  }

  @Nested
  @DisplayName("Sync delivery")
  class SyncDelivery extends SyncDeliveryContract {
    SyncDelivery() {
      super(fixture);
    }
  }

  @Nested
  @DisplayName("Async delivery")
  class AsyncDelivery extends AsyncDeliveryContract {
    AsyncDelivery() {
      super(fixture);
    }
  }

  @Nested
  @DisplayName("Typed payloads")
  class TypedPayloads extends TypedPayloadContract {
    TypedPayloads() {
      super(fixture);
    }
  }

  @Nested
  @DisplayName("Unsubscribing")
  class Unsubscribing extends SubscriptionContract {
    Unsubscribing() {
      super(fixture);
    }
  }

  @Nested
  @DisplayName("Delivery modes and PublishResult")
  class DeliveryModes extends DeliveryModeContract {
    DeliveryModes() {
      super(fixture);
    }
  }

  @Nested
  @DisplayName("Consumer groups")
  class ConsumerGroups extends ConsumerGroupContract {
    ConsumerGroups() {
      super(fixture);
    }
  }

  @Nested
  @DisplayName("Durable log")
  class DurableLog extends DurableLogContract {
    DurableLog() {
      super(fixture);
    }
  }

  @Nested
  @DisplayName("Failure isolation")
  class FailureIsolation extends FailureIsolationContract {
    FailureIsolation() {
      super(fixture);
    }
  }

  @Nested
  @DisplayName("Retry and dead letters")
  class RetryAndDeadLetters extends RetryContract {
    RetryAndDeadLetters() {
      super(fixture);
    }
  }

  @Nested
  @DisplayName("Bus lifecycle")
  class BusLifecycle extends BusLifecycleContract {
    BusLifecycle() {
      super(fixture);
    }
  }

  @Nested
  @DisplayName("Eager publish (tryPublish)")
  class TryPublish extends TryPublishContract {
    TryPublish() {
      super(fixture);
    }
  }

  @Nested
  @DisplayName("Conservation")
  class Conservation extends ConservationContract {
    Conservation() {
      super(fixture);
    }
  }

  @Nested
  @DisplayName("Metrics")
  class Metrics extends MetricsContract {
    Metrics() {
      super(fixture);
    }
  }
}
