package io.fluxbus.bench;

import java.time.Duration;
import java.util.function.Supplier;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The loop of the engines' publish-throughput benchmarks: a batch of sends, a number of them in flight at once. */
final class InFlightPublishes {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private InFlightPublishes() {
  }

  /**
   * Subscribes {@code batch} sends, at most {@code inFlight} outstanding, and waits for all of them.
   *
   * @return {@code batch}
   * @throws IllegalStateException naming {@code impl} if fewer completed
   */
  static long complete(int batch, int inFlight, Supplier<Mono<?>> send, String impl) {
    Long count = Flux.range(0, batch)
        .flatMap(i -> send.get(), inFlight)
        .count()
        .block(TIMEOUT);
    if (count == null || count != batch) {
      throw new IllegalStateException(impl + " completed " + count + " of " + batch + " publishes");
    }
    return count;
  }
}
