package io.fluxbus.router;

import io.micrometer.observation.ObservationRegistry;
import io.fluxbus.ConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Builds buses from YAML configuration. Engines are found by {@code type} through
 * {@link java.util.ServiceLoader} ({@code io.fluxbus.spi.EngineProvider}), so any engine module on the class
 * path is usable with no code here.
 *
 * <pre>{@code
 * source: orders-service
 * defaultEngine: fast
 * engines:
 *   - name: fast
 *     type: memory
 *     config: { bufferSize: 1024, workers: 4, deliveryMode: timeout, publishBlockTimeout: 250ms }
 * routing:
 *   - topics: ["orders.#", "billing.#"]
 *     engine: fast
 * }</pre>
 *
 * {@code ${VAR}} and {@code ${VAR:default}} are replaced from system properties, then the environment. Every
 * error is a {@link ConfigException} naming file, line, column and key, and saying what is allowed. The buses
 * returned are not started.
 */
public final class EventBuses {

  private EventBuses() {}

  /**
   * Reads a configuration file.
   *
   * @throws ConfigException when the file cannot be read or is invalid
   */
  public static EngineRouter fromYaml(Path file) {
    return read(file, RouterConfigReader.fromClassPath());
  }

  /**
   * Reads a configuration file; every engine observes its publishes and deliveries in {@code observationRegistry}
   * (see {@link io.fluxbus.spi.EngineBuilder#observationRegistry}).
   *
   * @throws ConfigException when the file cannot be read or is invalid
   */
  public static EngineRouter fromYaml(Path file, ObservationRegistry observationRegistry) {
    return read(file, observed(observationRegistry));
  }

  private static EngineRouter read(Path file, RouterConfigReader reader) {
    Objects.requireNonNull(file, "file must not be null");
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot read the configuration file: " + e.getMessage(), e);
    }
    return reader.read(text, file.toString());
  }

  /**
   * Reads configuration from a stream (UTF-8), closing it.
   *
   * @throws ConfigException when the stream cannot be read or the configuration is invalid
   */
  public static EngineRouter fromYaml(InputStream yaml) {
    return fromYaml(yaml, "<stream>");
  }

  /**
   * Reads configuration from a stream (UTF-8), closing it; errors name the stream as {@code name}, e.g. the URL
   * of a class-path resource.
   *
   * @throws ConfigException when the stream cannot be read or the configuration is invalid
   */
  public static EngineRouter fromYaml(InputStream yaml, String name) {
    return read(yaml, name, RouterConfigReader.fromClassPath());
  }

  /**
   * Reads configuration from a stream (UTF-8), closing it, as {@link #fromYaml(InputStream, String)}; every engine
   * observes its publishes and deliveries in {@code observationRegistry}.
   *
   * @throws ConfigException when the stream cannot be read or the configuration is invalid
   */
  public static EngineRouter fromYaml(InputStream yaml, String name, ObservationRegistry observationRegistry) {
    return read(yaml, name, observed(observationRegistry));
  }

  private static EngineRouter read(InputStream yaml, String name, RouterConfigReader reader) {
    Objects.requireNonNull(yaml, "yaml must not be null");
    Objects.requireNonNull(name, "name must not be null");
    try (InputStream in = yaml) {
      return reader.read(new String(in.readAllBytes(), StandardCharsets.UTF_8), name);
    } catch (IOException e) {
      throw new ConfigException(name + ": cannot read the configuration: " + e.getMessage(), e);
    }
  }

  /**
   * Reads configuration from a string; errors name the file as {@code <string>}.
   *
   * @throws ConfigException when the configuration is invalid
   */
  public static EngineRouter fromYamlString(String yaml) {
    Objects.requireNonNull(yaml, "yaml must not be null");
    return RouterConfigReader.fromClassPath().read(yaml, "<string>");
  }

  /**
   * Reads configuration given as Java values instead of text: the same keys as the YAML file, as maps with string
   * keys, lists, strings, numbers and booleans ({@code ${VAR}} references in strings are replaced as in files).
   * For frameworks that bind configuration themselves, e.g. Spring Boot's {@code fluxbus.*} properties. Errors
   * start with {@code origin:} instead of a file's line and column, then name the key by its path.
   *
   * @param document the top level: {@code source}, {@code defaultEngine}, {@code engines}, {@code routing}
   * @param origin what to call the document in messages, e.g. {@code "application properties fluxbus.*"}
   * @throws ConfigException when the configuration is invalid
   */
  public static EngineRouter fromMap(Map<String, ?> document, String origin) {
    Objects.requireNonNull(document, "document must not be null");
    Objects.requireNonNull(origin, "origin must not be null");
    return RouterConfigReader.fromClassPath().read(document, origin);
  }

  /**
   * Reads configuration given as Java values, as {@link #fromMap(Map, String)}; every engine observes its publishes
   * and deliveries in {@code observationRegistry}.
   *
   * @throws ConfigException when the configuration is invalid
   */
  public static EngineRouter fromMap(Map<String, ?> document, String origin,
                                     ObservationRegistry observationRegistry) {
    Objects.requireNonNull(document, "document must not be null");
    Objects.requireNonNull(origin, "origin must not be null");
    return observed(observationRegistry).read(document, origin);
  }

  private static RouterConfigReader observed(ObservationRegistry observationRegistry) {
    Objects.requireNonNull(observationRegistry, "observationRegistry must not be null");
    return RouterConfigReader.fromClassPath().observedBy(observationRegistry);
  }
}
