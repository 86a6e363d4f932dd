package io.fluxbus.bench;

/**
 * The consumer end of a benchmark: called once per event that reached the subscriber, listener or handler
 * of whichever bus or queue is measured.
 *
 * <p>Every implementation under test calls the same {@code Receiver}, so the work done per event on the
 * consumer side is identical across Fluxbus and its peers. Calls come from one thread at a time (the
 * consumer thread of an asynchronous peer, or the publishing thread of a synchronous one).
 */
interface Receiver {

  /** Records that one more event arrived. */
  void received();
}
