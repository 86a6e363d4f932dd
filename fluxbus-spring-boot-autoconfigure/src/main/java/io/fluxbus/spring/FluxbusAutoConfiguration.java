package io.fluxbus.spring;

import org.springframework.beans.factory.annotation.Value;
import io.micrometer.observation.ObservationRegistry;
import org.springframework.beans.factory.ObjectProvider;
import io.fluxbus.BusMetrics;
import io.fluxbus.EventBus;
import io.fluxbus.router.EngineRouter;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.io.ResourceLoader;

/**
 * The bus and what runs it: the {@link EventBus} (an {@link EngineRouter} from {@code fluxbus.*}, unless the
 * application defines its own {@code EventBus} bean), its {@link FluxbusLifecycle}, the
 * {@link FluxbusListener} methods, and its meters bound to the application's {@code MeterRegistry} (through a
 * {@link MeterBinder}, which Spring Boot's metrics support applies to its registry once that is configured; without
 * it, nothing is bound). {@code fluxbus.enabled=false} turns all of it off.
 *
 * <p>Tracing: when the application has one {@code ObservationRegistry} (Actuator makes one), every engine gets it
 * (unless {@code fluxbus.observations.enabled=false}),
 * so that each publish is a {@code fluxbus.publish} observation carrying its trace context in the event and each
 * delivery, a listener's included, a {@code fluxbus.process} observation under it.
 */
@AutoConfiguration
@ConditionalOnBooleanProperty(name = "fluxbus.enabled", matchIfMissing = true)
@EnableConfigurationProperties(FluxbusProperties.class)
public final class FluxbusAutoConfiguration {

  /** Creates the auto-configuration; Spring does. */
  public FluxbusAutoConfiguration() {}

  @Bean
  @ConditionalOnMissingBean(EventBus.class)
  EngineRouter fluxbus(FluxbusProperties properties, ResourceLoader resources,
                       ObjectProvider<ObservationRegistry> observationRegistry,
                       @Value("${fluxbus.observations.enabled:true}") boolean observed) {
    return RouterFactory.create(properties, resources, observed ? observationRegistry.getIfUnique() : null);
  }

  @Bean
  static ListenerMethods fluxbusListenerMethods() {
    return new ListenerMethods();
  }

  @Bean
  EngineStates fluxbusEngineStates(EventBus bus) {
    return new EngineStates(bus);
  }

  @Bean
  SubscriptionLedger fluxbusSubscriptionLedger(EventBus bus) {
    return new SubscriptionLedger(bus);
  }

  @Bean
  FluxbusLifecycle fluxbusLifecycle(EventBus bus, ListenerMethods listenerMethods, FluxbusProperties properties,
                                    EngineStates fluxbusEngineStates, SubscriptionLedger fluxbusSubscriptionLedger) {
    // the ledger is a parameter so that it watches the bus before the lifecycle starts it
    return new FluxbusLifecycle(bus, listenerMethods, properties, fluxbusEngineStates);
  }

  @Bean
  @ConditionalOnMissingBean(name = "fluxbusMeterBinder")
  MeterBinder fluxbusMeterBinder(EventBus bus) {
    return registry -> BusMetrics.bind(bus, registry);
  }
}
