package io.fluxbus;

/**
 * Invalid configuration; the message names the file, line, column and key, and what is allowed.
 */
public final class ConfigException extends BusException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what was wrong, with the offending value, and what is allowed
   */
  public ConfigException(String message) {
    super(message);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message what was wrong, with the offending value, and what is allowed
   * @param cause the underlying failure
   */
  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
