package io.fluxbus.examples.gateway;

import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;
import reactor.netty.http.server.HttpServerRequest;

/**
 * Reads path and query parameters, percent-decoded: a pattern's {@code #} must travel as {@code %23}
 * ({@code /events/orders.%23}), because a raw {@code #} starts the URL's fragment and never reaches the server.
 */
final class PathParameters {

  private PathParameters() {}

  /** The decoded path parameter, or null; a {@code +} stays a plus, as paths have no form encoding. */
  static String decoded(HttpServerRequest request, String name) {
    String raw = request.param(name);
    return raw == null ? null : QueryStringDecoder.decodeComponent(raw.replace("+", "%2B"));
  }

  /** The first value of a query parameter, or null. */
  static String query(HttpServerRequest request, String name) {
    List<String> values = new QueryStringDecoder(request.uri()).parameters().get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }
}
