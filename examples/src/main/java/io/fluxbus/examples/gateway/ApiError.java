package io.fluxbus.examples.gateway;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fluxbus.BusNotStartedException;
import io.fluxbus.CodecException;
import io.fluxbus.EngineUnavailableException;
import io.fluxbus.InvalidEventException;
import io.fluxbus.InvalidPatternException;
import io.fluxbus.InvalidTopicException;

/**
 * What the gateway answers when a request cannot be served, as JSON:
 * {@code {"status":400,"error":"invalid_topic","message":"Invalid topic 'a..b': …","value":"a..b"}}. {@code error}
 * is a stable code for programs, {@code message} says what was wrong and what is allowed, {@code value} is the
 * offending input when there is one. What is echoed is capped: the value at 200 characters (and the same cut
 * applied where the message quotes it), the message at 1,000.
 *
 * @param status the HTTP status
 * @param error the stable code, e.g. {@code invalid_topic}, {@code invalid_json}, {@code body_too_large}
 * @param message what was wrong and what is allowed
 * @param value the offending value, or null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record ApiError(int status, String error, String message, String value) {

  private static final int MAX_VALUE_LENGTH = 200;
  private static final int MAX_MESSAGE_LENGTH = 1000;

  ApiError {
    if (value != null && value.length() > MAX_VALUE_LENGTH) {
      String cut = value.substring(0, MAX_VALUE_LENGTH) + "…";
      message = message == null ? null : message.replace(value, cut);
      value = cut;
    }
    if (message != null && message.length() > MAX_MESSAGE_LENGTH) {
      message = message.substring(0, MAX_MESSAGE_LENGTH) + "…";
    }
  }

  static ApiError badRequest(String error, String message, String value) {
    return new ApiError(400, error, message, value);
  }

  /**
   * The answer for a failure: a {@link RequestRejected} carries its own; the bus's typed errors map to 400
   * (invalid input) or 503 (bus stopped, engine unavailable); Reactor Netty's request timeout is a 408; anything
   * else is a 500 naming the exception.
   */
  static ApiError of(Throwable failure) {
    if (failure instanceof RequestRejected rejected) {
      return rejected.error();
    }
    // Reactor Netty's RequestTimeoutException is package-private: known by name only
    if (failure.getClass().getName().equals("reactor.netty.http.server.RequestTimeoutException")) {
      return new ApiError(408, "request_timeout", "the request's body did not arrive in time (--request-timeout / "
          + "FLUXBUS_REQUEST_TIMEOUT)", null);
    }
    if (failure instanceof InvalidTopicException) {
      return new ApiError(400, "invalid_topic", failure.getMessage(), null);
    }
    if (failure instanceof InvalidPatternException) {
      return new ApiError(400, "invalid_pattern", failure.getMessage(), null);
    }
    if (failure instanceof InvalidEventException || failure instanceof CodecException) {
      return new ApiError(400, "invalid_event", failure.getMessage(), null);
    }
    if (failure instanceof BusNotStartedException) {
      return new ApiError(503, "bus_stopped", failure.getMessage(), null);
    }
    if (failure instanceof EngineUnavailableException) {
      return new ApiError(503, "engine_unavailable", failure.getMessage(), null);
    }
    return new ApiError(500, "internal_error", failure.getClass().getName() + ": " + failure.getMessage(), null);
  }
}
