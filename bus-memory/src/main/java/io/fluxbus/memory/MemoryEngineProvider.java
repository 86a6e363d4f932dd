package io.fluxbus.memory;

import io.fluxbus.EventBus;
import io.fluxbus.spi.EngineProvider;
import io.fluxbus.spi.EngineSettings;

/**
 * The {@code memory} engine type for configuration files. Keys: {@code bufferSize}, {@code workers},
 * {@code deliveryMode} ({@code drop} | {@code block} | {@code timeout}), {@code publishBlockTimeout} (the wait of
 * {@code timeout}, and the limit of {@code block}), {@code drainTimeout}.
 */
public final class MemoryEngineProvider implements EngineProvider {

  @Override
  public String type() {
    return MemoryEventBus.TYPE;
  }

  @Override
  public EventBus create(EngineSettings settings) {
    MemoryEventBus.Builder builder = MemoryEventBus.builder().read(settings);
    settings.requireAllRead();
    return builder.build();
  }
}
