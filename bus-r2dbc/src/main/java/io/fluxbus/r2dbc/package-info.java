/**
 * The {@code postgres} engine: {@link io.fluxbus.r2dbc.PostgresEventBus} (built with
 * {@link io.fluxbus.r2dbc.PostgresEventBusBuilder}, or from configuration through
 * {@link io.fluxbus.r2dbc.PostgresEngineProvider}), a durable, partitioned event log in PostgreSQL on R2DBC.
 *
 * <p>Every bus on a schema appends to one log and reads it below the xid8 visibility horizon, so no committed event
 * is ever skipped; consumer groups span processes through per-partition leases with fencing on the database clock,
 * acknowledging after the handler completed and appending dead letters in the same statement; subscriptions can
 * replay from the earliest event or a time; events can be published for later ({@code publishAt}); groups can be
 * reset; and {@link io.fluxbus.r2dbc.PostgresEventBus#publish(io.r2dbc.spi.Connection, io.fluxbus.Event)} publishes
 * inside the caller's own transaction (outbox). Everything else in this package is internal.
 */
package io.fluxbus.r2dbc;
