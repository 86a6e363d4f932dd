package io.fluxbus.examples.gateway;

import io.netty.handler.codec.http.HttpHeaderNames;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * The dashboard's files (plain HTML, JavaScript and CSS, no build step), read from the class path once, when the
 * gateway starts, so serving them does no I/O on the event loop.
 */
final class DashboardAssets {

  private static final String ROOT = "/io/fluxbus/examples/gateway/dashboard/";

  /**
   * One file.
   *
   * @param contentType its media type
   * @param bytes its content
   */
  private record Asset(String contentType, byte[] bytes) {}

  private final Map<String, Asset> assets;

  private DashboardAssets(Map<String, Asset> assets) {
    this.assets = assets;
  }

  /**
   * Reads the files; blocking, so called off the event loop.
   *
   * @throws UncheckedIOException when a file is missing from the class path
   */
  static DashboardAssets load() {
    Map<String, Asset> assets = new LinkedHashMap<>();
    assets.put("index.html", read("index.html", "text/html; charset=utf-8"));
    assets.put("dashboard.js", read("dashboard.js", "text/javascript; charset=utf-8"));
    assets.put("dashboard.css", read("dashboard.css", "text/css; charset=utf-8"));
    assets.put("favicon.svg", read("favicon.svg", "image/svg+xml"));
    return new DashboardAssets(Map.copyOf(assets));
  }

  Mono<Void> index(HttpServerRequest request, HttpServerResponse response) {
    return send(response, assets.get("index.html"));
  }

  /**
   * The icon, for {@code /favicon.ico} and {@code /favicon.svg}: browsers ask for the first on their own when a
   * page names none; SVG is served under both names, which browsers take by its content type.
   */
  Mono<Void> favicon(HttpServerRequest request, HttpServerResponse response) {
    return send(response, assets.get("favicon.svg"));
  }

  Mono<Void> file(HttpServerRequest request, HttpServerResponse response) {
    Asset asset = assets.get(request.param("file"));
    return asset == null
        ? JsonResponses.error(response, new ApiError(404, "not_found", "no dashboard file '" + request.param("file")
            + "'; files: " + assets.keySet(), request.param("file")))
        : send(response, asset);
  }

  private static Mono<Void> send(HttpServerResponse response, Asset asset) {
    return response.header(HttpHeaderNames.CONTENT_TYPE, asset.contentType())
        .header(HttpHeaderNames.CACHE_CONTROL, "no-cache")
        .sendByteArray(Mono.just(asset.bytes()))
        .then();
  }

  private static Asset read(String name, String contentType) {
    try (InputStream in = DashboardAssets.class.getResourceAsStream(ROOT + name)) {
      if (in == null) {
        throw new IOException("class path resource " + ROOT + name + " is missing");
      }
      return new Asset(contentType, in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the dashboard file " + name + ": " + e.getMessage(), e);
    }
  }
}
