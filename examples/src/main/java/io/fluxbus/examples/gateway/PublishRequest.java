package io.fluxbus.examples.gateway;

import io.fluxbus.Event;
import io.fluxbus.InvalidEventException;

/**
 * One publish as a client asked for it, over HTTP (path, body and {@code Fluxbus-*} headers) or WebSocket (a
 * {@code publish} message). Its parts are checked by {@link Inputs} before it is made.
 *
 * @param topic a valid topic
 * @param payload the JSON payload, never null
 * @param key the partition key, or null
 * @param version the payload's version from 1, or null for 1
 * @param correlationId the conversation's id, or null to start a new one
 */
record PublishRequest(String topic, Object payload, String key, Integer version, String correlationId) {

  /** The event to publish; the bus stamps its source and time. */
  Event<Object> toEvent() {
    try {
      Event.Builder<Object> builder = Event.builder(topic, payload).key(key).correlationId(correlationId);
      if (version != null) {
        builder.version(version);
      }
      return builder.build();
    } catch (InvalidEventException e) {
      throw Inputs.rejected("invalid_event", e.getMessage(), topic);
    }
  }
}
