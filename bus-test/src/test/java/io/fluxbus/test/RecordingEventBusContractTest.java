package io.fluxbus.test;

import io.fluxbus.EventBus;
import org.junit.jupiter.api.DisplayName;

/** The engine contract run against a {@link RecordingEventBus} around a memory bus: recording changes nothing. */
@DisplayName("RecordingEventBus around MemoryEventBus passes the engine contract")
class RecordingEventBusContractTest extends EventBusContract {

  @Override
  protected EventBus createBus(ContractSettings settings) {
    return RecordingEventBus.wrap(MemoryEventBusContractTest.memoryBus(settings).build());
  }
}
