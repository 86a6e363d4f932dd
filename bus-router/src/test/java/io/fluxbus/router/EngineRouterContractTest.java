package io.fluxbus.router;

import io.fluxbus.EventBus;
import io.fluxbus.memory.MemoryEventBus;
import io.fluxbus.test.ContractSettings;
import io.fluxbus.test.EventBusContract;

/**
 * The router passes the engine contract with two memory engines and rules that split the suite's topics between
 * them, so wildcard subscriptions in the suite span both engines and are merged ({@code user.*},
 * {@code load.#}, {@code #}), and dead letters of {@code order.placed} are routed to the other engine than their
 * event. The {@code metered.*} topics of the metrics part stay on one engine: {@code fluxbus.subscriptions} is a
 * gauge per engine, and a subscription spanning two engines is, honestly, one subscription on each
 * ({@code EngineRouterTest} checks the per-engine tags).
 */
class EngineRouterContractTest extends EventBusContract {

  @Override
  protected EventBus createBus(ContractSettings settings) {
    return EngineRouter.builder()
        .engine("fast", engine("fast", settings))
        .engine("durable", engine("durable", settings))
        .route("durable", "user.profile.#", "order.placed.dlq", "load.a.#", "audit.#")
        .defaultEngine("fast")
        .build();
  }

  private static EventBus engine(String name, ContractSettings settings) {
    return MemoryEventBus.builder()
        .name(name)
        .bufferSize(settings.bufferSize())
        .deliveryMode(settings.deliveryMode())
        .drainTimeout(settings.drainTimeout())
        .source(settings.source())
        .build();
  }
}
