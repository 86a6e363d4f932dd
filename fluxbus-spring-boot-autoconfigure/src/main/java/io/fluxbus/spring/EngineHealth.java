package io.fluxbus.spring;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Health per engine: {@code UP} while the engine runs, {@code DOWN} while it is stopped or disconnected; details
 * are the state and since when, nothing from the engine's configuration (which may hold credentials).
 */
final class EngineHealth {

  private EngineHealth() {}

  /** One indicator per engine, named by the engine, under one composite. */
  static CompositeHealthContributor of(EngineStates states) {
    Map<String, HealthIndicator> indicators = new LinkedHashMap<>();
    states.snapshot().keySet().forEach(name -> indicators.put(name, () -> health(states.snapshot().get(name))));
    return CompositeHealthContributor.fromMap(indicators);
  }

  static Health health(EngineStates.EngineState state) {
    Health.Builder builder = state.state() == EngineStates.State.RUNNING ? Health.up() : Health.down();
    return builder.withDetail("state", state.state().name()).withDetail("since", state.since().toString()).build();
  }
}
