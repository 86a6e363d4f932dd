package io.fluxbus.spring;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.context.annotation.Bean;

/**
 * The {@code fluxbus} health contributor ({@code /actuator/health/fluxbus}): one indicator per engine, when
 * Spring Boot's health support is on the class path; {@code management.health.fluxbus.enabled=false} turns it off.
 */
@AutoConfiguration(after = FluxbusAutoConfiguration.class)
@ConditionalOnClass(HealthContributor.class)
@ConditionalOnBean(EngineStates.class)
@ConditionalOnEnabledHealthIndicator("fluxbus")
public final class FluxbusHealthAutoConfiguration {

  /** Creates the auto-configuration; Spring does. */
  public FluxbusHealthAutoConfiguration() {}

  @Bean
  @ConditionalOnMissingBean(name = "fluxbusHealthContributor")
  CompositeHealthContributor fluxbusHealthContributor(EngineStates fluxbusEngineStates) {
    return EngineHealth.of(fluxbusEngineStates);
  }
}
