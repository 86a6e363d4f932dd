package io.fluxbus.test;

import java.util.concurrent.atomic.AtomicBoolean;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * A one-shot latch for reactive handlers: {@link #whenOpen()} completes once {@link #open()} is called.
 * Lets a test hold a handler "in flight" for as long as it needs, without sleeping. Thread-safe.
 */
final class Gate {

  private final Sinks.Empty<Void> opened = Sinks.empty();
  private final AtomicBoolean open = new AtomicBoolean();

  /** Completes (on the thread that opens the gate) once the gate is open; at once if it already is. */
  Mono<Void> whenOpen() {
    return opened.asMono();
  }

  /** Opens the gate; idempotent. */
  void open() {
    if (open.compareAndSet(false, true)) {
      opened.tryEmitEmpty();
    }
  }

  boolean isOpen() {
    return open.get();
  }
}
