/**
 * Internal API: the durable-engine kit, the machinery every engine with a log shares so that an engine is only its
 * transport (appending, reading, acknowledging, leasing or native groups). One session lifecycle ({@link
 * io.fluxbus.internal.log.SessionLifecycle}), the durable publish pipeline ({@link
 * io.fluxbus.internal.log.DurablePublish}), decoded log items and per-key lanes ({@link
 * io.fluxbus.internal.log.LogItem}, {@link io.fluxbus.internal.log.Lanes}), and the idle waits and credential
 * redaction of {@code io.fluxbus.internal}.
 * Public only so that Fluxbus's own engines reach it; may change without notice. See {@code docs/architecture.md},
 * "How to write an engine".
 */
package io.fluxbus.internal.log;
