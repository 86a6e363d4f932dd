package io.fluxbus.kafka;

import io.fluxbus.BusException;

/**
 * An engine was asked for something it does not offer, e.g. delayed delivery on {@code kafka}; the message names
 * the capability and the engine.
 */
public class CapabilityNotSupportedException extends BusException {

  private static final long serialVersionUID = 1L;

  private final String capability;

  /**
   * @param capability the capability asked for, e.g. {@code delayed delivery}
   * @param message what was asked, of which engine, and what to do instead
   */
  public CapabilityNotSupportedException(String capability, String message) {
    super(message);
    this.capability = capability;
  }

  /** The capability asked for. */
  public String capability() {
    return capability;
  }
}
