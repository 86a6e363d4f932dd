package io.fluxbus.examples.gateway;

import io.fluxbus.BusMetrics;
import io.fluxbus.router.EngineRouter;
import io.fluxbus.router.EventBuses;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.netty.DisposableServer;
import reactor.netty.NettyPipeline;
import io.netty.handler.codec.http.HttpHeaderNames;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerRoutes;
import reactor.netty.http.server.WebsocketServerSpec;

/**
 * The Fluxbus gateway: a bus from a YAML file behind HTTP, Server-Sent Events and WebSocket, with Prometheus
 * metrics and a live dashboard, on Reactor Netty.
 *
 * <table>
 *   <caption>Endpoints</caption>
 *   <tr><td>{@code POST /events/{topic}}</td><td>publish the JSON body ({@link PublishEndpoint})</td></tr>
 *   <tr><td>{@code GET /events/{pattern}}</td><td>Server-Sent Events, {@code ?group=} ({@link EventStreamEndpoint})</td></tr>
 *   <tr><td>{@code /ws}</td><td>WebSocket publish and subscribe ({@link SocketEndpoint})</td></tr>
 *   <tr><td>{@code GET /health}, {@code /stats}, {@code /metrics}</td><td>status ({@link StatusEndpoints})</td></tr>
 *   <tr><td>{@code GET /}</td><td>the dashboard (and {@code /assets/*}, {@code /favicon.ico})</td></tr>
 * </table>
 *
 * <p>{@link #start} loads the configuration, starts the bus and listens; {@link #stop} drains the bus (its
 * streams end once their buffered events are sent) and then closes the server. {@link #main} does both, stopping
 * on SIGTERM or Ctrl-C.
 */
public final class Gateway {

  private static final String DEFAULT_CONFIG = "/io/fluxbus/examples/gateway/gateway-default.yaml";
  private static final Duration SERVER_DRAIN = Duration.ofSeconds(10);

  private final EngineRouter bus;
  private final PrometheusMeterRegistry registry;
  private final GatewayHealth health;
  private final SocketBacklog backlog;
  private final StreamLosses losses;
  private final SocketEndpoint sockets;
  private final DisposableServer server;
  private final String config;
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final Sinks.Empty<Void> stopped = Sinks.empty();

  private Gateway(EngineRouter bus, PrometheusMeterRegistry registry, GatewayHealth health, SocketBacklog backlog,
                  StreamLosses losses, SocketEndpoint sockets, DisposableServer server, String config) {
    this.bus = bus;
    this.registry = registry;
    this.health = health;
    this.backlog = backlog;
    this.losses = losses;
    this.sockets = sockets;
    this.server = server;
    this.config = config;
  }

  /**
   * Runs the gateway until SIGTERM or Ctrl-C, then drains the bus and exits. Exits with 2 on a bad flag and 1 when
   * the configuration is invalid or the port is taken, printing why.
   *
   * @param args {@code --config FILE --port N --host ADDRESS --max-body SIZE --help}; see
   *     {@link GatewaySettings#USAGE}
   */
  public static void main(String[] args) {
    GatewaySettings settings;
    try {
      settings = GatewaySettings.parse(List.of(args), System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println("fluxbus-gateway: " + e.getMessage());
      System.err.println(GatewaySettings.USAGE);
      System.exit(2);
      return;
    }
    if (settings.help()) {
      System.out.println(GatewaySettings.USAGE);
      return;
    }
    Gateway gateway;
    try {
      gateway = start(settings).block(Duration.ofMinutes(1));
    } catch (RuntimeException e) {
      System.err.println("fluxbus-gateway: " + e.getMessage());
      System.exit(1);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      System.out.println("fluxbus-gateway: stopping; draining the bus");
      gateway.stop().block(Duration.ofMinutes(1));
      System.out.println("fluxbus-gateway: stopped; " + gateway.bus().stats());
    }, "fluxbus-gateway-shutdown"));
    System.out.println(gateway.banner());
    gateway.onStopped().block();
  }

  /**
   * Loads the configuration, starts the bus and listens. Reading the file happens on a blocking-capable scheduler.
   * If the server cannot listen, the bus is stopped again.
   *
   * @return the running gateway
   * @throws io.fluxbus.ConfigException (signalled) naming file, line and key when the configuration is invalid
   * @throws IllegalStateException (signalled) naming the address when the server cannot listen
   */
  public static Mono<Gateway> start(GatewaySettings settings) {
    return Mono.fromCallable(() -> loadBus(settings))
        .subscribeOn(Schedulers.boundedElastic())
        .flatMap(bus -> {
          DashboardAssets dashboard = DashboardAssets.load();
          PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
          BusMetrics.bind(bus, registry);
          OpenStreams streams = new OpenStreams();
          streams.bind(registry);
          GatewayHealth health = new GatewayHealth();
          health.watch(bus);
          TopicActivity activity = new TopicActivity();
          SocketBacklog backlog = new SocketBacklog();
          backlog.bind(registry);
          StreamLosses losses = new StreamLosses();
          losses.watch(bus);
          SocketEndpoint sockets = new SocketEndpoint(bus, streams, activity, settings.maxBodyBytes(), backlog);
          HttpServer server = HttpServer.create()
              .host(settings.host())
              .port(settings.port())
              .idleTimeout(settings.idleTimeout())
              .requestTimeout(settings.requestTimeout())
              .doOnChannelInit((observer, channel, address) -> {
                if (channel.pipeline().get(NettyPipeline.HttpCodec) != null) {
                  channel.pipeline().addAfter(NettyPipeline.HttpCodec, MalformedRequests.NAME,
                      new MalformedRequests());
                  channel.pipeline().addAfter(MalformedRequests.NAME, UpgradeRequests.NAME, new UpgradeRequests());
                }
              })
              .route(routes(bus, settings, dashboard, registry, health, streams, activity, losses,
                  sockets));
          String config = settings.config() == null ? "built-in (one memory engine)" : settings.config().toString();
          return bus.start()
              .then(server.bind().onErrorMap(e -> new IllegalStateException("cannot listen on " + settings.host()
                  + ":" + settings.port() + ": " + e.getMessage() + "; choose another port with --port or PORT",
                  e)))
              .map(bound -> new Gateway(bus, registry, health, backlog, losses, sockets, bound, config))
              .onErrorResume(e -> Mono.fromRunnable(losses::stop).then(bus.stop())
                  .onErrorResume(stopError -> Mono.empty())
                  .then(Mono.error(e)));
        });
  }

  private static Consumer<HttpServerRoutes> routes(EngineRouter bus, GatewaySettings settings,
      DashboardAssets dashboard, PrometheusMeterRegistry registry, GatewayHealth health, OpenStreams streams,
      TopicActivity activity, StreamLosses losses, SocketEndpoint socket) {
    PublishEndpoint publish = new PublishEndpoint(bus, activity, settings.maxBodyBytes());
    EventStreamEndpoint stream = new EventStreamEndpoint(bus, streams, losses, settings.heartbeat());
    StatusEndpoints status = new StatusEndpoints(bus, registry, health, streams, activity);
    WebsocketServerSpec socketSpec = WebsocketServerSpec.builder()
        .maxFramePayloadLength(settings.maxBodyBytes()).build();
    // first, so no route reads a path or query that cannot be decoded
    return routes -> routes
        .route(request -> PathParameters.check(request.uri()) != null,
            (request, response) -> JsonResponses.error(response, PathParameters.check(request.uri())))
        .get("/", dashboard::index)
        .get("/assets/{file}", dashboard::file)
        .get("/favicon.ico", dashboard::favicon)
        .get("/favicon.svg", dashboard::favicon)
        .post("/events/{topic}", publish::handle)
        .get("/events/{pattern}", stream::handle)
        .route(request -> isSocketPath(request) && !request.requestHeaders()
                .containsValue(HttpHeaderNames.UPGRADE, "websocket", true),
            (request, response) -> JsonResponses.error(response, ApiError.badRequest("not_websocket", "/ws is a "
                + "WebSocket endpoint: send GET with 'Upgrade: websocket' (use a WebSocket client)", null)))
        .ws("/ws", socket::handle, socketSpec)
        .get("/health", status::health)
        .get("/stats", status::stats)
        .get("/metrics", status::metrics)
        .route(request -> true, (request, response) -> JsonResponses.error(response, new ApiError(404, "not_found",
            "no endpoint " + request.method() + " " + request.uri() + "; endpoints: POST /events/{topic}, "
                + "GET /events/{pattern} (write # as %23), /ws, GET /health, /stats, /metrics and /",
            request.uri())));
  }

  private static boolean isSocketPath(HttpServerRequest request) {
    String uri = request.uri();
    int query = uri.indexOf('?');
    return (query < 0 ? uri : uri.substring(0, query)).equals("/ws");
  }

  private static EngineRouter loadBus(GatewaySettings settings) {
    if (settings.config() != null) {
      return EventBuses.fromYaml(settings.config());
    }
    InputStream in = Gateway.class.getResourceAsStream(DEFAULT_CONFIG);
    if (in == null) {
      throw new UncheckedIOException(new IOException("class path resource " + DEFAULT_CONFIG + " is missing"));
    }
    return EventBuses.fromYaml(in);
  }

  /**
   * Stops the gateway: reports {@code DOWN} on {@code /health}, stops the bus (publishes are refused with 503,
   * streams get their buffered events and end, WebSockets then get a close frame, 1001), then closes the server,
   * waiting up to 10 s for open exchanges.
   * Idempotent; completes when everything is closed. Closing the server blocks, so it runs on a blocking-capable
   * scheduler.
   */
  public Mono<Void> stop() {
    return Mono.defer(() -> {
      if (!stopping.compareAndSet(false, true)) {
        return stopped.asMono();
      }
      health.stopping();
      return bus.stop()
          .onErrorResume(e -> {
            System.err.println("fluxbus-gateway: the bus did not stop cleanly: " + e.getMessage());
            return Mono.empty();
          })
          .then(Mono.defer(sockets::stop).timeout(SERVER_DRAIN).onErrorResume(e -> Mono.empty()))
          .then(Mono.fromRunnable(() -> server.disposeNow(SERVER_DRAIN)).subscribeOn(Schedulers.boundedElastic()))
          .onErrorResume(e -> {
            System.err.println("fluxbus-gateway: open connections did not close in " + SERVER_DRAIN + ": "
                + e.getMessage());
            return Mono.empty();
          })
          .doFinally(signal -> {
            losses.stop();
            registry.close();
            stopped.tryEmitEmpty();
          })
          .then();
    });
  }

  /** Completes once {@link #stop()} has finished. */
  public Mono<Void> onStopped() {
    return stopped.asMono();
  }

  /** The port the gateway listens on (the chosen one when started with port 0). */
  public int port() {
    return server.port();
  }

  /** The bus behind the gateway. */
  public EngineRouter bus() {
    return bus;
  }

  /** The registry that {@code /metrics} scrapes. */
  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** What the WebSocket connections hold now and at most; see {@link SocketEndpoint}. */
  SocketBacklog socketBacklog() {
    return backlog;
  }

  private String banner() {
    String base = "http://localhost:" + port();
    return "Fluxbus gateway on " + base + "  (engines: " + String.join(", ", bus.engineNames()) + "; config: "
        + config + ")\n"
        + "  dashboard   " + base + "/\n"
        + "  publish     curl -H 'Content-Type: application/json' -d '{\"id\": 1}' " + base + "/events/orders.placed\n"
        + "  subscribe   curl -N " + base + "/events/orders.%23\n"
        + "  metrics     " + base + "/metrics   stats " + base + "/stats   health " + base + "/health";
  }
}
