package io.fluxbus.memory;

import io.fluxbus.DeliveryMode;
import io.fluxbus.EventBus;
import io.fluxbus.spi.EngineProvider;
import io.fluxbus.spi.EngineSettings;
import java.time.Duration;
import java.util.Optional;

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
    MemoryEventBus.Builder builder = MemoryEventBus.builder().name(settings.engineName());
    settings.source().ifPresent(builder::source);
    settings.positiveInt("bufferSize").ifPresent(builder::bufferSize);
    settings.positiveInt("workers").ifPresent(builder::workers);
    Optional<Duration> blockTimeout = settings.duration("publishBlockTimeout");
    Optional<DeliveryMode> mode = settings.deliveryMode("deliveryMode", blockTimeout);
    mode.ifPresent(builder::deliveryMode);
    if (mode.isEmpty() || mode.get() instanceof DeliveryMode.Block) {
      blockTimeout.ifPresent(builder::publishBlockTimeout);
    }
    settings.duration("drainTimeout").ifPresent(builder::drainTimeout);
    settings.requireAllRead();
    return builder.build();
  }
}
