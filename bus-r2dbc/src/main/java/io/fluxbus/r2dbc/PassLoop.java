package io.fluxbus.r2dbc;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;

/**
 * Runs passes of a reader one at a time: one at start (if asked for), one after every {@link #wake()} (wake-ups that arrive while
 * a pass runs fold into one more), and one every {@code pollInterval} on the session's own scheduler, so a lost
 * wake-up only delays. A pass must not signal an error. Disposing stops it after the pass in progress. Thread-safe.
 */
final class PassLoop implements Disposable {

  private final Supplier<Mono<Void>> pass;
  private final Duration pollInterval;
  private final Scheduler timers;
  private final AtomicLong started = new AtomicLong();
  private final AtomicLong finished = new AtomicLong();
  private final Sinks.Empty<Void> stop = Sinks.empty();
  private final Sinks.Empty<Void> ended = Sinks.empty();
  private volatile FluxSink<Boolean> wakeups;
  private volatile boolean disposed;

  PassLoop(Supplier<Mono<Void>> pass, Duration pollInterval, Scheduler timers) {
    this.pass = pass;
    this.pollInterval = pollInterval;
    this.timers = timers;
  }

  /** Starts: the first pass runs at once if {@code passAtOnce}, else at the first wake-up or poll. */
  void start(boolean passAtOnce) {
    Flux<Boolean> wakes = Flux.create(sink -> wakeups = sink, FluxSink.OverflowStrategy.LATEST);
    Flux.merge(passAtOnce ? Mono.just(Boolean.TRUE) : Mono.<Boolean>empty(), wakes,
            Flux.interval(pollInterval, pollInterval, timers).map(tick -> true))
        .onBackpressureLatest()
        .takeUntilOther(stop.asMono())
        .concatMap(wake -> Mono.defer(() -> {
          started.incrementAndGet();
          return pass.get();
        }).doFinally(signal -> finished.incrementAndGet()), 1)
        .subscribe(null, error -> ended.tryEmitEmpty(), ended::tryEmitEmpty);
  }

  /** Asks for a pass soon. Any thread. */
  void wake() {
    FluxSink<Boolean> sink = wakeups;
    if (sink != null) {
      sink.next(Boolean.TRUE);
    }
  }

  /** Passes begun so far; with {@link #passesEnded()} lets tests wait for a pass that began after a point. */
  long passesStarted() {
    return started.get();
  }

  /** Passes finished so far. */
  long passesEnded() {
    return finished.get();
  }

  /** Completes once the loop stopped: disposed, and the pass in progress (if any) ended. */
  Mono<Void> ended() {
    return ended.asMono();
  }

  @Override
  public void dispose() {
    disposed = true;
    stop.tryEmitEmpty();
  }

  @Override
  public boolean isDisposed() {
    return disposed;
  }
}
