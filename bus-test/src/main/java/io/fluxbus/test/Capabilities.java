package io.fluxbus.test;

/**
 * Promises of ARCHITECTURE §3 that an engine may honestly not make; the contract checks them only for engines
 * that do, and says so in the test report (a skipped check names the promise), so nothing is hidden.
 *
 * @param syncOnPublishingThread sync subscribers run on the thread that publishes (true for engines that fan
 *     out at publish; false for engines that deliver after a server round trip, on their delivery thread)
 */
public record Capabilities(boolean syncOnPublishingThread) {

  /** Every promise made: the memory engine's profile. */
  public static Capabilities all() {
    return new Capabilities(true);
  }
}
