package io.fluxbus.examples.gateway;

import io.fluxbus.EventBus;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.io.ByteArrayOutputStream;
import java.util.Locale;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * {@code POST /events/{topic}}: the body is the payload as JSON; the headers {@code Fluxbus-Key},
 * {@code Fluxbus-Version} and {@code Fluxbus-Correlation-Id} set the event's key, version and correlation id. A
 * body of type {@code application/cloudevents+json} is a structured CloudEvent and is published as that event,
 * keeping its id, source, time and extensions (its {@code type} must be the path's topic); a request with
 * {@code ce-} headers is a binary-mode CloudEvent, published the same way ({@link BinaryCloudEvent}); the
 * {@code Fluxbus-*} headers do not apply to either. Any other type than JSON ({@code application/json},
 * {@code application/*+json}, or none) is a 415.
 * Answers {@code 202} with the {@code PublishResult} as JSON once the bus has taken the event, {@code 400} for a bad
 * topic, header or body, {@code 413} for a body over the limit (checked before reading when the length is declared,
 * while reading otherwise), and {@code 503} while the bus is stopped.
 */
final class PublishEndpoint {

  static final String KEY = "Fluxbus-Key";
  static final String VERSION = "Fluxbus-Version";
  static final String CORRELATION_ID = "Fluxbus-Correlation-Id";

  private final EventBus bus;
  private final TopicActivity activity;
  private final int maxBodyBytes;

  PublishEndpoint(EventBus bus, TopicActivity activity, int maxBodyBytes) {
    this.bus = bus;
    this.activity = activity;
    this.maxBodyBytes = maxBodyBytes;
  }

  Mono<Void> handle(HttpServerRequest request, HttpServerResponse response) {
    return Mono.defer(() -> {
          String topic = Inputs.topic(PathParameters.decoded(request, "topic"));
          HttpHeaders headers = request.requestHeaders();
          String key = Inputs.optionalText(headers.get(KEY), KEY);
          Integer version = Inputs.version(headers.get(VERSION), VERSION);
          String correlationId = Inputs.optionalText(headers.get(CORRELATION_ID), CORRELATION_ID);
          boolean structured = cloudEvent(headers.get(HttpHeaderNames.CONTENT_TYPE));
          if (structured) {
            return body(request).map(bytes -> StructuredCloudEvent.read(topic, bytes));
          }
          if (BinaryCloudEvent.present(headers)) {
            BinaryCloudEvent binary = BinaryCloudEvent.read(topic, headers);
            return body(request).map(bytes -> binary.toEvent(topic, bytes));
          }
          return body(request).map(bytes -> new PublishRequest(topic, Inputs.payload(bytes), key, version,
              correlationId).toEvent());
        })
        .flatMap(event -> bus.publish(event).doOnSuccess(result -> activity.published(event.topic())))
        .flatMap(result -> JsonResponses.send(response, 202, result))
        .onErrorResume(error -> JsonResponses.error(response, ApiError.of(error)));
  }

  /**
   * True for a structured CloudEvent, false for a plain JSON payload.
   *
   * @throws RequestRejected with 415 for any other media type
   */
  private static boolean cloudEvent(String contentType) {
    if (contentType == null) {
      return false;
    }
    String type = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    if (type.equals("application/cloudevents+json")) {
      return true;
    }
    if (type.equals("application/json") || type.startsWith("application/") && type.endsWith("+json")) {
      return false;
    }
    throw new RequestRejected(new ApiError(415, "unsupported_media_type", "the body must be JSON: send "
        + "Content-Type: application/json (or application/cloudevents+json for a whole CloudEvent), not '"
        + contentType + "'", contentType));
  }

  /** The whole body, refused with 413 as soon as it is known to be over the limit. */
  private Mono<byte[]> body(HttpServerRequest request) {
    String declared = request.requestHeaders().get(HttpHeaderNames.CONTENT_LENGTH);
    if (declared != null && declared.matches("\\d{1,18}") && Long.parseLong(declared) > maxBodyBytes) {
      return Mono.error(tooLarge(declared + " bytes declared"));
    }
    return request.receive().asByteArray()
        .reduce(new ByteArrayOutputStream(), (body, chunk) -> {
          if (body.size() + chunk.length > maxBodyBytes) {
            throw tooLarge("more than " + maxBodyBytes + " bytes sent");
          }
          body.writeBytes(chunk);
          return body;
        })
        .map(ByteArrayOutputStream::toByteArray)
        .defaultIfEmpty(new byte[0]);
  }

  private RequestRejected tooLarge(String size) {
    return new RequestRejected(new ApiError(413, "body_too_large", "the body is too large (" + size
        + "); the limit is " + maxBodyBytes + " bytes (--max-body / FLUXBUS_MAX_BODY)", size));
  }
}
