package io.fluxbus;

/**
 * What one publish did. A subscription counts once whatever its kind; a consumer group counts once.
 *
 * @param eventId the id of the published event
 * @param delivered subscriptions that took the event: handed to a sync subscriber or accepted into an async
 *     subscription's buffer
 * @param dropped subscriptions that refused it per their delivery mode (buffer full, wait timed out)
 */
public record PublishResult(String eventId, int delivered, int dropped) {

  /** Subscriptions the event matched: {@code delivered + dropped}. */
  public int matched() {
    return delivered + dropped;
  }
}
