package io.fluxbus.spring;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The {@code fluxbus.*} properties. The bus is read either from the YAML file named by {@code fluxbus.config} or
 * from the same structure written inline ({@code engines}, {@code routing}, {@code default-engine},
 * {@code source}); with neither, it is one memory engine. Both forms are validated by the router's own
 * configuration reader, so a mistake is reported the same way in both: the key's path and what is allowed.
 *
 * @param enabled whether the auto-configuration makes a bus at all
 * @param config a Spring resource location ({@code classpath:…}, {@code file:…}) of a router YAML file; when set,
 *     the inline keys must be absent
 * @param source the CloudEvents {@code source} stamped on events published without one
 * @param defaultEngine the engine for topics no routing rule matches; the first engine when absent
 * @param engines the engines, in order
 * @param routing the routing rules, evaluated in order; the first rule with a matching pattern wins
 * @param startTimeout how long starting the bus may take before the application fails to start
 * @param listeners per {@code @FluxbusListener} id: retry and dead-letter settings that override the annotation's
 */
@ConfigurationProperties("fluxbus")
public record FluxbusProperties(
    @DefaultValue("true") boolean enabled,
    String config,
    String source,
    String defaultEngine,
    List<Engine> engines,
    List<Route> routing,
    @DefaultValue("30s") Duration startTimeout,
    Map<String, Listener> listeners) {

  /** Normalizes absent collections to empty ones. */
  public FluxbusProperties {
    engines = engines == null ? List.of() : List.copyOf(engines);
    routing = routing == null ? List.of() : List.copyOf(routing);
    listeners = listeners == null ? Map.of() : Map.copyOf(listeners);
  }

  /** True when any inline key ({@code engines}, {@code routing}, {@code default-engine}) is set. */
  boolean hasInlineEngines() {
    return !engines.isEmpty() || !routing.isEmpty() || defaultEngine != null;
  }

  /**
   * One engine.
   *
   * @param name letters, digits, {@code _} and {@code -}; unique
   * @param type an engine type on the class path: {@code memory}, or {@code redis} / {@code postgres} with
   *     {@code bus-redis} / {@code bus-r2dbc}
   * @param config the engine's own keys, as in the YAML file ({@code bufferSize}, {@code workers},
   *     {@code deliveryMode}, …); kebab-case keys ({@code buffer-size}) are read as camelCase
   */
  public record Engine(String name, String type, Map<String, Object> config) {}

  /**
   * One routing rule.
   *
   * @param topics the patterns the rule matches
   * @param engine the engine those topics go to
   */
  public record Route(List<String> topics, String engine) {}

  /**
   * Settings of one {@code @FluxbusListener}, by its id; each overrides the annotation's attribute when set.
   *
   * @param maxAttempts total attempts per event including the first ({@code 1}: no retry)
   * @param firstBackoff the wait before the second attempt; doubles each time up to {@code max-backoff}
   * @param maxBackoff the longest wait between attempts
   * @param deadLetter the topic failed events are published to after the last attempt; {@code <topic>.dlq} when
   *     the listener retries and this is not set
   */
  public record Listener(Integer maxAttempts, Duration firstBackoff, Duration maxBackoff, String deadLetter) {}
}
