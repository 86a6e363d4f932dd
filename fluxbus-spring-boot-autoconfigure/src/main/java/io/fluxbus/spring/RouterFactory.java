package io.fluxbus.spring;

import io.micrometer.observation.ObservationRegistry;
import io.fluxbus.ConfigException;
import io.fluxbus.router.EngineRouter;
import io.fluxbus.router.EventBuses;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.core.io.Resource;
import org.springframework.core.io.ResourceLoader;

/**
 * Builds the router from {@link FluxbusProperties}: from the file {@code fluxbus.config} names, or by rendering
 * the inline properties into the router's own document shape and handing that to {@link EventBuses#fromMap}, so
 * that every check and message lives once, in the router's reader. Property keys in kebab case
 * ({@code buffer-size}) are read as the router's camel case ({@code bufferSize}).
 */
final class RouterFactory {

  /** What messages about inline properties start with. */
  static final String INLINE_ORIGIN = "fluxbus.*";

  private RouterFactory() {}

  /**
   * The router the properties describe, not started.
   *
   * @throws ConfigException naming the key and what is allowed
   */
  static EngineRouter create(FluxbusProperties properties, ResourceLoader resources) {
    return create(properties, resources, null);
  }

  /**
   * The router the properties describe, not started, its engines observing in {@code observationRegistry} (none
   * when null).
   *
   * @throws ConfigException naming the key and what is allowed
   */
  static EngineRouter create(FluxbusProperties properties, ResourceLoader resources,
                             ObservationRegistry observationRegistry) {
    String location = properties.config();
    if (location != null && !location.isBlank()) {
      if (properties.hasInlineEngines() || properties.source() != null) {
        throw new ConfigException("fluxbus.config: '" + location + "' names a file, and inline keys are set too ("
            + inlineKeys(properties) + "); use one form: the file, or fluxbus.engines / fluxbus.routing / "
            + "fluxbus.default-engine / fluxbus.source");
      }
      return fromResource(resources.getResource(location), location, observationRegistry);
    }
    return observationRegistry == null ? EventBuses.fromMap(document(properties), INLINE_ORIGIN)
        : EventBuses.fromMap(document(properties), INLINE_ORIGIN, observationRegistry);
  }

  private static EngineRouter fromResource(Resource resource, String location,
                                           ObservationRegistry observationRegistry) {
    if (!resource.exists()) {
      throw new ConfigException("fluxbus.config: no file at '" + location + "'; give a Spring resource location "
          + "such as classpath:fluxbus.yaml or file:/etc/fluxbus.yaml");
    }
    try {
      return observationRegistry == null ? EventBuses.fromYaml(resource.getInputStream(), location)
          : EventBuses.fromYaml(resource.getInputStream(), location, observationRegistry);
    } catch (IOException e) {
      throw new ConfigException("fluxbus.config: cannot read '" + location + "': " + e.getMessage(), e);
    }
  }

  /** The inline properties as the router's document; one memory engine named {@code memory} when none is set. */
  static Map<String, Object> document(FluxbusProperties properties) {
    Map<String, Object> document = new LinkedHashMap<>();
    putIfSet(document, "source", properties.source());
    putIfSet(document, "defaultEngine", properties.defaultEngine());
    List<Object> engines = new ArrayList<>();
    if (properties.engines().isEmpty()) {
      engines.add(Map.of("name", "memory", "type", "memory"));
    }
    for (FluxbusProperties.Engine engine : properties.engines()) {
      Map<String, Object> map = new LinkedHashMap<>();
      putIfSet(map, "name", engine.name());
      putIfSet(map, "type", engine.type());
      if (engine.config() != null) {
        map.put("config", plain(engine.config()));
      }
      engines.add(map);
    }
    document.put("engines", engines);
    if (!properties.routing().isEmpty()) {
      List<Object> rules = new ArrayList<>();
      for (FluxbusProperties.Route route : properties.routing()) {
        Map<String, Object> map = new LinkedHashMap<>();
        putIfSet(map, "topics", route.topics());
        putIfSet(map, "engine", route.engine());
        rules.add(map);
      }
      document.put("routing", rules);
    }
    return document;
  }

  /**
   * A bound value as the router reads it: camel-case keys, and lists for the maps Spring binds from indexed keys
   * ({@code x[0]}, {@code x[1]}) when the target type is only {@code Object}.
   */
  private static Object plain(Object value) {
    if (value instanceof Map<?, ?> map) {
      if (!map.isEmpty() && map.keySet().stream().allMatch(k -> String.valueOf(k).matches("\\d+"))) {
        List<Object> items = new ArrayList<>();
        for (int i = 0; i < map.size(); i++) {
          items.add(plain(map.get(String.valueOf(i))));
        }
        return items;
      }
      Map<String, Object> out = new LinkedHashMap<>();
      map.forEach((k, v) -> out.put(camelCase(String.valueOf(k)), plain(v)));
      return out;
    }
    if (value instanceof List<?> list) {
      return list.stream().map(RouterFactory::plain).toList();
    }
    return value;
  }

  static String camelCase(String key) {
    if (key.indexOf('-') < 0) {
      return key;
    }
    StringBuilder out = new StringBuilder(key.length());
    boolean upper = false;
    for (char c : key.toCharArray()) {
      if (c == '-') {
        upper = out.length() > 0;
      } else {
        out.append(upper ? Character.toUpperCase(c) : c);
        upper = false;
      }
    }
    return out.toString();
  }

  private static String inlineKeys(FluxbusProperties properties) {
    List<String> keys = new ArrayList<>();
    if (!properties.engines().isEmpty()) {
      keys.add("fluxbus.engines");
    }
    if (!properties.routing().isEmpty()) {
      keys.add("fluxbus.routing");
    }
    if (properties.defaultEngine() != null) {
      keys.add("fluxbus.default-engine");
    }
    if (properties.source() != null) {
      keys.add("fluxbus.source");
    }
    return String.join(", ", keys);
  }

  private static void putIfSet(Map<String, Object> map, String key, Object value) {
    if (value != null) {
      map.put(key, value);
    }
  }
}
