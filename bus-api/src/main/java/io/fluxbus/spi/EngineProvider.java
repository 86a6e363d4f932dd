package io.fluxbus.spi;

import io.fluxbus.EventBus;

/**
 * Creates buses of one engine type ({@code memory}, {@code redis}, {@code postgres}). Found through
 * {@link java.util.ServiceLoader}: list the implementation in
 * {@code META-INF/services/io.fluxbus.spi.EngineProvider}. Implementations are stateless and thread-safe.
 */
public interface EngineProvider {

  /** The type name used in configuration, e.g. {@code memory}. Lowercase, unique on the class path. */
  String type();

  /**
   * Creates a bus, not yet started.
   *
   * @param settings the engine's name and configuration; the provider reads every key it supports and then
   *     calls {@link EngineSettings#requireAllRead()}, so unknown keys are errors
   * @throws io.fluxbus.ConfigException naming the engine and the key for any invalid or unknown setting
   */
  EventBus create(EngineSettings settings);
}
