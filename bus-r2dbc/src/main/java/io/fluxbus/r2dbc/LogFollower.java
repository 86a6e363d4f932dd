package io.fluxbus.r2dbc;

/**
 * A reader that follows the log in passes: the bus's tail, a durable group's member, a replaying subscription. What
 * it exposes lets tests wait until it has read everything committed before a point: wake it, then wait until a pass
 * that began afterwards caught up ({@link #lastCaughtUpPass()} beyond the {@link #passesStarted()} seen before the
 * wake-up). Thread-safe.
 */
interface LogFollower {

  /** Asks for a pass soon; passes requested while one runs fold into one more. Any thread. */
  void wake();

  /** Passes begun so far; passes are numbered from 1 in the order they begin, and run one at a time. */
  long passesStarted();

  /**
   * The number of the latest pass that ended having read all there was to read (its last read came back short, and
   * everything read was handed on and, for a group, acknowledged), or 0.
   */
  long lastCaughtUpPass();
}
