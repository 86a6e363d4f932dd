package io.fluxbus.examples.gateway;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Flux;

/**
 * The event streams this gateway serves (Server-Sent Events and WebSocket subscriptions), counted per pattern for
 * {@code /stats} and in total as the gauge {@code fluxbus.gateway.streams}. Thread-safe.
 */
final class OpenStreams {

  private final Map<String, Integer> byPattern = new ConcurrentHashMap<>();
  private final AtomicInteger total = new AtomicInteger();

  /** The stream, counted from its subscription until it terminates or is cancelled. */
  <T> Flux<T> track(String pattern, Flux<T> stream) {
    return stream
        .doOnSubscribe(subscription -> {
          total.incrementAndGet();
          byPattern.merge(pattern, 1, Integer::sum);
        })
        .doFinally(signal -> {
          total.decrementAndGet();
          byPattern.computeIfPresent(pattern, (p, n) -> n == 1 ? null : n - 1);
        });
  }

  /** Open streams per pattern, sorted by pattern; a snapshot. */
  Map<String, Integer> byPattern() {
    return new TreeMap<>(byPattern);
  }

  int total() {
    return total.get();
  }

  void bind(MeterRegistry registry) {
    Gauge.builder("fluxbus.gateway.streams", total, AtomicInteger::get)
        .description("Event streams (SSE and WebSocket subscriptions) the gateway serves").register(registry);
  }
}
