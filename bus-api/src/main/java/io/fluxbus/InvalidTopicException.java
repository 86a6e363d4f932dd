package io.fluxbus;

/**
 * A topic that breaks the topic rules: dot-separated segments of 1+ characters other than {@code .}, {@code *}, {@code #} and whitespace, at most 255 characters.
 */
public final class InvalidTopicException extends BusException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what was wrong, with the offending value, and what is allowed
   */
  public InvalidTopicException(String message) {
    super(message);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message what was wrong, with the offending value, and what is allowed
   * @param cause the underlying failure
   */
  public InvalidTopicException(String message, Throwable cause) {
    super(message, cause);
  }
}
