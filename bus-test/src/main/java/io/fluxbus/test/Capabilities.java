package io.fluxbus.test;

/**
 * Promises of docs/architecture.md, "Semantics" that an engine may honestly not make, and promises only some engines
 * make; the contract checks each kind only for engines that declare it, and says so in the test report (a skipped check
 * names the promise), so nothing is hidden.
 *
 * @param syncOnPublishingThread sync subscribers run on the thread that publishes (true for engines that fan
 *     out at publish; false for engines that deliver after a server round trip, on their delivery thread)
 * @param durableLog consumer groups and subscriptions that start anywhere but at the latest event are served from
 *     a durable log: a group's events wait in the log while it has no member, are handed to members after the
 *     publish completes (so {@code PublishResult} does not count them), are acknowledged after handling and dead-
 *     lettered by the engine; {@code startFrom} replays (false for in-process engines, whose groups take events at
 *     publish and which have nothing to replay)
 */
public record Capabilities(boolean syncOnPublishingThread, boolean durableLog) {

  /** The memory engine's profile: sync delivery on the publishing thread, no durable log. */
  public static Capabilities inProcess() {
    return new Capabilities(true, false);
  }

  /** A durable engine's profile: delivery after the log took the event, on the engine's threads. */
  public static Capabilities durable() {
    return new Capabilities(false, true);
  }
}
