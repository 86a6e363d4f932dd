package io.fluxbus.bench;

/** What the benchmarks' pre-built events share. */
final class Events {

  /**
   * The CloudEvents source every pre-built event carries, so that a bus publishes it as it is instead of stamping
   * its own source on a copy (which only {@code SyncPublishBenchmark.fluxbusSourceless} measures).
   */
  static final String SOURCE = "fluxbus-bench";

  private Events() {
  }
}
