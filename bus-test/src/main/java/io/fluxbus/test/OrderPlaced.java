package io.fluxbus.test;

/**
 * A typed payload for the contract's conversion tests.
 *
 * @param orderId the order
 * @param total the amount, in cents
 */
record OrderPlaced(String orderId, int total) {}
