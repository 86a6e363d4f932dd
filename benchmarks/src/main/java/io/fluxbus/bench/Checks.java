package io.fluxbus.bench;

/** End-of-trial checks: a benchmark that lost events measured something other than delivery. */
final class Checks {

  private Checks() {
  }

  /**
   * Requires that exactly {@code expected} deliveries were counted and none was refused.
   *
   * @throws IllegalStateException naming the implementation and both counts otherwise
   */
  static void requireDelivered(String implementation, long delivered, long expected, long refused) {
    if (delivered != expected || refused != 0) {
      throw new IllegalStateException(implementation + " delivered " + delivered + " of " + expected
          + " expected deliveries (" + refused + " refused)");
    }
  }
}
