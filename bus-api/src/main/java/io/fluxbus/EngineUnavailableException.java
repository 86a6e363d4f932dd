package io.fluxbus;

/**
 * An engine that cannot reach its server; the message names the address (never a password).
 */
public final class EngineUnavailableException extends BusException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what was wrong, with the offending value, and what is allowed
   */
  public EngineUnavailableException(String message) {
    super(message);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message what was wrong, with the offending value, and what is allowed
   * @param cause the underlying failure
   */
  public EngineUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
