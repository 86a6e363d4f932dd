package io.fluxbus;

/**
 * Monotonic counters of a bus since its creation (they survive stop and start).
 *
 * <p>Once publishers are quiet and buffers drained, {@code delivered + dropped} equals the sum of
 * {@code PublishResult.delivered + PublishResult.dropped} over every publish.
 *
 * @param published publishes that ran (their {@code Mono} was subscribed and the bus was started)
 * @param delivered events handed to a subscriber's {@code onNext} or handler
 * @param dropped events lost for a subscription, at publish (buffer full, timeout) or later (unsubscribe, stop)
 * @param failed deliveries whose handler failed after its last attempt (also counted in {@code delivered})
 */
public record BusStats(long published, long delivered, long dropped, long failed) {

  /** All zero. */
  public static final BusStats EMPTY = new BusStats(0, 0, 0, 0);

  /** The sum of two stats, as a router reports for several engines. */
  public BusStats plus(BusStats other) {
    return new BusStats(published + other.published, delivered + other.delivered, dropped + other.dropped,
        failed + other.failed);
  }
}
