package io.fluxbus;

/**
 * An engine type or engine name that is not known; the message lists the known ones.
 */
public final class UnknownEngineException extends BusException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what was wrong, with the offending value, and what is allowed
   */
  public UnknownEngineException(String message) {
    super(message);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message what was wrong, with the offending value, and what is allowed
   * @param cause the underlying failure
   */
  public UnknownEngineException(String message, Throwable cause) {
    super(message, cause);
  }
}
