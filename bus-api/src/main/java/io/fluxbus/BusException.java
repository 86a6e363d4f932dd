package io.fluxbus;

/**
 * The root of every Fluxbus error. Unchecked; the message always names the offending value and what is allowed.
 */
public class BusException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what was wrong, with the offending value, and what is allowed
   */
  public BusException(String message) {
    super(message);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message what was wrong, with the offending value, and what is allowed
   * @param cause the underlying failure
   */
  public BusException(String message, Throwable cause) {
    super(message, cause);
  }
}
