package io.fluxbus.spring;

import io.fluxbus.EventBus;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The {@code fluxbus} Actuator endpoint, when Actuator is on the class path and the endpoint is available
 * (exposed with {@code management.endpoints.web.exposure.include=fluxbus}, like any endpoint).
 */
@AutoConfiguration(after = FluxbusAutoConfiguration.class)
@ConditionalOnClass({Endpoint.class, ConditionalOnAvailableEndpoint.class})
@ConditionalOnBean(FluxbusLifecycle.class)
@ConditionalOnAvailableEndpoint(FluxbusEndpoint.class)
public final class FluxbusEndpointAutoConfiguration {

  /** Creates the auto-configuration; Spring does. */
  public FluxbusEndpointAutoConfiguration() {}

  @Bean
  @ConditionalOnMissingBean
  FluxbusEndpoint fluxbusEndpoint(EventBus bus, EngineStates fluxbusEngineStates,
                                  SubscriptionLedger fluxbusSubscriptionLedger, FluxbusLifecycle fluxbusLifecycle) {
    return new FluxbusEndpoint(bus, fluxbusEngineStates, fluxbusSubscriptionLedger, fluxbusLifecycle);
  }
}
