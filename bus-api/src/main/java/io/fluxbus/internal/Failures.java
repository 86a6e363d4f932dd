package io.fluxbus.internal;

/** How failures are named in reports, lifecycle events and dead letters, the same in every engine. */
public final class Failures {

  private Failures() {}

  /** The error's class and message, e.g. {@code java.lang.IllegalStateException: card expired}. */
  public static String describe(Throwable error) {
    String message = error.getMessage();
    return error.getClass().getName() + (message == null ? "" : ": " + message);
  }
}
