/**
 * Testing with Fluxbus. For engine authors: {@link io.fluxbus.test.EventBusContract}, the contract suite (TCK) every
 * engine's tests extend. For users: {@link io.fluxbus.test.RecordingEventBus}, which records what code under test
 * publishes, and {@link io.fluxbus.test.PublishedEvents}, fluent assertions on it whose failures list what was
 * published.
 */
package io.fluxbus.test;
