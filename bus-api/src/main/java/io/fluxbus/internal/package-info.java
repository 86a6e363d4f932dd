/**
 * Internal API: helpers shared by Fluxbus's own modules (the topic trie, failure descriptions, dead letters).
 * Classes in this package and its sub-packages are public only so that Fluxbus's modules reach them; they are not
 * part of the API or the SPI and may change without notice.
 */
package io.fluxbus.internal;
