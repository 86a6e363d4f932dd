package io.fluxbus;

/**
 * A subscription pattern that breaks the pattern rules: topic segments, {@code *} for one segment, {@code #} for zero or more.
 */
public final class InvalidPatternException extends BusException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what was wrong, with the offending value, and what is allowed
   */
  public InvalidPatternException(String message) {
    super(message);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message what was wrong, with the offending value, and what is allowed
   * @param cause the underlying failure
   */
  public InvalidPatternException(String message, Throwable cause) {
    super(message, cause);
  }
}
