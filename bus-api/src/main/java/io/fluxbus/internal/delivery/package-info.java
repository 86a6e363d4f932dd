/**
 * Internal API: the in-process delivery core every engine fans out through ({@link
 * io.fluxbus.internal.delivery.LocalEventBus}, its settings and lifecycle events); the rest of the package is
 * package-private. Public only so that Fluxbus's own engines reach it; may change without notice. Its design (the
 * trie, per-subscription rings, the publish path) is described in {@code docs/architecture.md}.
 */
package io.fluxbus.internal.delivery;
