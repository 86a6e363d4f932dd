package io.fluxbus;

/**
 * Why an event was lost for a subscription: the {@code reason} tag of the {@code fluxbus.events.dropped} meter
 * (see {@link BusMetrics}) and the {@link LifecycleEvent#reason() reason} of {@code EVENT_DROPPED} lifecycle events
 * raised by the delivery core. Engines may report other reasons for events they received but could not hand to
 * anyone; these are the ones every engine shares.
 */
public enum DropReason {
  /** The buffer was full (or a sync subscriber had no demand) and the delivery mode is drop. */
  BUFFER_FULL("buffer_full"),
  /** The publish waited for room longer than the delivery mode allows. */
  TIMEOUT("timeout"),
  /** The bus stopped with the event still buffered or waiting. */
  STOPPED("stopped"),
  /** The subscription was cancelled with the event still buffered or waiting. */
  UNSUBSCRIBED("unsubscribed"),
  /** The publisher cancelled its publish while the event was waiting for room. */
  CANCELLED("cancelled");

  private final String tag;

  DropReason(String tag) {
    this.tag = tag;
  }

  /** The metric tag value, e.g. {@code buffer_full}. */
  public String tag() {
    return tag;
  }
}
