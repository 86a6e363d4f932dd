package io.fluxbus.spi;

/**
 * Why an event was lost for a subscription; the {@code reason} tag of {@code fluxbus.events.dropped} and the
 * {@code reason} of {@code EVENT_DROPPED} lifecycle events.
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
