package io.fluxbus.bench;

import com.google.common.eventbus.Subscribe;
import io.fluxbus.Event;

/**
 * A Guava {@code EventBus} subscriber that tells a {@link Receiver} about every {@link Event} posted.
 *
 * <p>Registered the default way, without {@code @AllowConcurrentEvents}: Guava then serializes calls to it,
 * the same one-at-a-time guarantee Reactive Streams gives a Fluxbus subscriber. Public because Guava invokes
 * the method reflectively.
 */
public final class GuavaListener {

  private final Receiver receiver;

  GuavaListener(Receiver receiver) {
    this.receiver = receiver;
  }

  /** Called by Guava for every posted {@link Event}. */
  @Subscribe
  public void on(Event<?> event) {
    receiver.received();
  }
}
