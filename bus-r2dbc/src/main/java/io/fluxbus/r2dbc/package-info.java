/**
 * The {@code postgres} engine: {@link io.fluxbus.r2dbc.PostgresEventBus}, a durable event log in PostgreSQL on
 * R2DBC, with an outbox publish inside the caller's transaction. Everything else in this package is internal.
 */
package io.fluxbus.r2dbc;
