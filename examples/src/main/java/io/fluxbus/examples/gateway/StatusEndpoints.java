package io.fluxbus.examples.gateway;

import io.fluxbus.BusStats;
import io.fluxbus.router.EngineRouter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * {@code GET /health}, {@code GET /stats} and {@code GET /metrics}: what the bus and the gateway are doing, read
 * from counters that already exist (nothing here costs anything per event).
 */
final class StatusEndpoints {

  /** The Prometheus text format Micrometer writes. */
  static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  /**
   * One engine's counters.
   *
   * @param name the engine's name in the configuration
   * @param published publishes that ran
   * @param delivered events handed to subscribers
   * @param dropped events lost for a subscription
   * @param failed deliveries whose handler failed
   */
  record EngineStats(String name, long published, long delivered, long dropped, long failed) {}

  /**
   * A pattern that has subscriptions on the bus.
   *
   * @param pattern the pattern
   * @param engines the engines a subscription to it is made on
   * @param streams how many of its subscriptions are this gateway's SSE and WebSocket streams
   */
  record PatternStats(String pattern, List<String> engines, int streams) {}

  /**
   * A topic published through this gateway.
   *
   * @param topic the topic
   * @param engine the engine it is routed to
   * @param subscribers how many copies an event on it makes now (groups count once)
   * @param published how often it was published through this gateway
   */
  record TopicStats(String topic, String engine, int subscribers, long published) {}

  /**
   * The answer of {@code /stats}.
   *
   * @param time when it was taken
   * @param uptimeSeconds since the gateway started
   * @param total the counters of all engines together
   * @param engines each engine's counters, in configuration order
   * @param patterns the patterns that have subscriptions
   * @param topics the topics published through this gateway, most published first
   * @param streams the event streams this gateway serves
   */
  record Stats(Instant time, long uptimeSeconds, BusStats total, List<EngineStats> engines,
               List<PatternStats> patterns, List<TopicStats> topics, int streams) {}

  private final EngineRouter bus;
  private final PrometheusMeterRegistry registry;
  private final GatewayHealth health;
  private final OpenStreams streams;
  private final TopicActivity activity;
  private final Instant started = Instant.now();

  StatusEndpoints(EngineRouter bus, PrometheusMeterRegistry registry, GatewayHealth health, OpenStreams streams,
                  TopicActivity activity) {
    this.bus = bus;
    this.registry = registry;
    this.health = health;
    this.streams = streams;
    this.activity = activity;
  }

  Mono<Void> health(HttpServerRequest request, HttpServerResponse response) {
    GatewayHealth.Report report = health.report(bus.engineNames());
    return JsonResponses.send(response, report.up() ? 200 : 503, report);
  }

  Mono<Void> stats(HttpServerRequest request, HttpServerResponse response) {
    return JsonResponses.send(response, 200, stats());
  }

  Mono<Void> metrics(HttpServerRequest request, HttpServerResponse response) {
    return response.header(HttpHeaderNames.CONTENT_TYPE, PROMETHEUS_TEXT)
        .sendString(Mono.fromSupplier(registry::scrape))
        .then();
  }

  Stats stats() {
    List<EngineStats> engines = new ArrayList<>();
    for (String name : bus.engineNames()) {
      BusStats s = bus.stats(name);
      engines.add(new EngineStats(name, s.published(), s.delivered(), s.dropped(), s.failed()));
    }
    Map<String, Integer> gatewayStreams = streams.byPattern();
    List<PatternStats> patterns = bus.topics().stream().sorted()
        .map(p -> new PatternStats(p, bus.enginesFor(p), gatewayStreams.getOrDefault(p, 0)))
        .toList();
    List<TopicStats> topics = activity.topics().stream()
        .map(t -> new TopicStats(t.topic(), bus.engineFor(t.topic()), bus.subscriberCount(t.topic()),
            t.published()))
        .toList();
    Instant now = Instant.now();
    return new Stats(now, Duration.between(started, now).toSeconds(), bus.stats(), engines, patterns, topics,
        streams.total());
  }
}
