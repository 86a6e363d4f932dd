/**
 * The observation of publishes and deliveries, written once for every engine (docs/architecture.md, "Tracing").
 */
package io.fluxbus.internal.observation;
