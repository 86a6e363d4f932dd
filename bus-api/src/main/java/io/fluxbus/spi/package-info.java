/**
 * SPI for engine authors, versioned with the API: only what an engine implements ({@link
 * io.fluxbus.spi.EngineProvider}, {@link io.fluxbus.spi.DurableLog}, {@link io.fluxbus.spi.EngineBuilder}, {@link
 * io.fluxbus.spi.ForwardingEventBus}, {@link io.fluxbus.spi.Instrumented}, {@link io.fluxbus.spi.RoutableEngine})
 * or is handed ({@link io.fluxbus.spi.EngineSettings}, {@link io.fluxbus.spi.LogConsumer}, {@link
 * io.fluxbus.spi.Delivery}). How an engine is put together from these and the shared kit is in
 * {@code docs/architecture.md}, "How to write an engine".
 */
package io.fluxbus.spi;
