package io.fluxbus.internal;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Waiting, without a thread waiting, until something went idle: a stop waiting for publishes in flight, a drain
 * waiting for handlers. Checks every 2 ms, which is far below any drain timeout and costs nothing measurable.
 */
public final class Idle {

  private static final Duration CHECK = Duration.ofMillis(2);

  private Idle() {}

  /**
   * Completes when {@code condition} holds or after {@code limit}, whichever comes first; never signals an error.
   *
   * @param timers where the checks and the limit run: pass an engine's own scheduler so that a test in virtual time
   *     does not stop them, or {@link Schedulers#parallel()} to follow virtual time
   */
  public static Mono<Void> until(BooleanSupplier condition, Duration limit, Scheduler timers) {
    return Mono.defer(() -> {
      if (condition.getAsBoolean() || limit.isZero() || limit.isNegative()) {
        return Mono.empty();
      }
      return Flux.interval(Duration.ofMillis(1), CHECK, timers)
          .filter(tick -> condition.getAsBoolean())
          .next()
          .timeout(limit, Mono.empty(), timers)
          .then();
    });
  }

  /** As {@link #until(BooleanSupplier, Duration, Scheduler)} on {@link Schedulers#parallel()}. */
  public static Mono<Void> until(BooleanSupplier condition, Duration limit) {
    return until(condition, limit, Schedulers.parallel());
  }
}
