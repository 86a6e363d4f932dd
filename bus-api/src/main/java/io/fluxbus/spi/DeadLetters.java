package io.fluxbus.spi;

import io.fluxbus.Event;

/**
 * Publishes an event whose handler failed its last attempt to a dead-letter topic: same payload, key and version,
 * caused by the original, with headers that say what failed ({@code dlqerror}), where it came from
 * ({@code dlqtopic}, {@code dlqsubscription}) and how often it was tried ({@code dlqattempts}).
 */
final class DeadLetters {

  private static final int MAX_ERROR_LENGTH = 1000;

  private DeadLetters() {}

  static void publish(LocalEventBus bus, Endpoint endpoint, Event<Object> failed, String topic, String error,
                      int attempts) {
    Event<Object> letter;
    try {
      Event.Builder<Object> builder = Event.builder(topic, failed.payload())
          .key(failed.key())
          .version(failed.version())
          .causedBy(failed);
      failed.headers().forEach(builder::header);
      letter = builder
          .header("dlqerror", error.length() > MAX_ERROR_LENGTH ? error.substring(0, MAX_ERROR_LENGTH) : error)
          .header("dlqtopic", failed.topic())
          .header("dlqsubscription", endpoint.id)
          .header("dlqattempts", Integer.toString(attempts))
          .build();
    } catch (RuntimeException invalid) {
      bus.deadLettered(endpoint, failed, "not dead-lettered to '" + topic + "': " + invalid.getMessage());
      return;
    }
    bus.front().publish(letter).subscribe(
        result -> bus.deadLettered(endpoint, failed, "dead-lettered to '" + topic + "' (" + result.delivered()
            + " subscribers) after " + error),
        publishError -> bus.deadLettered(endpoint, failed, "not dead-lettered to '" + topic + "': "
            + publishError.getMessage()));
  }
}
