package io.fluxbus;

/**
 * An event that cannot be published as it is: a null payload, a bad header name, a version below 1.
 */
public final class InvalidEventException extends BusException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what was wrong, with the offending value, and what is allowed
   */
  public InvalidEventException(String message) {
    super(message);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message what was wrong, with the offending value, and what is allowed
   * @param cause the underlying failure
   */
  public InvalidEventException(String message, Throwable cause) {
    super(message, cause);
  }
}
