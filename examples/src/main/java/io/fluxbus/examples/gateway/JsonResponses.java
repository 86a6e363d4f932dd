package io.fluxbus.examples.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fluxbus.codec.EventCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerResponse;

/** Writes JSON answers with the codec's mapper, so payloads look the same in answers and in events. */
final class JsonResponses {

  static final ObjectMapper MAPPER = EventCodec.json().mapper();

  private JsonResponses() {}

  /** Sends {@code body} as the whole response, with the status and a JSON content type. */
  static Mono<Void> send(HttpServerResponse response, int status, Object body) {
    return response.status(status)
        .header(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
        .header(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE)
        .sendString(Mono.just(write(body)))
        .then();
  }

  /** Sends an error answer; after a 408 the connection is closed, as the rest of the request may still come. */
  static Mono<Void> error(HttpServerResponse response, ApiError error) {
    if (error.status() == 408) {
      response.keepAlive(false);
    }
    return send(response, error.status(), error);
  }

  /** One value as JSON text. */
  static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write " + value.getClass().getName() + " as JSON: "
          + e.getOriginalMessage(), e);
    }
  }
}
