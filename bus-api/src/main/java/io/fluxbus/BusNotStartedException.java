package io.fluxbus;

/**
 * Publishing on a bus that is not started, or that is stopping or stopped.
 */
public final class BusNotStartedException extends BusException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what was wrong, with the offending value, and what is allowed
   */
  public BusNotStartedException(String message) {
    super(message);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message what was wrong, with the offending value, and what is allowed
   * @param cause the underlying failure
   */
  public BusNotStartedException(String message, Throwable cause) {
    super(message, cause);
  }
}
