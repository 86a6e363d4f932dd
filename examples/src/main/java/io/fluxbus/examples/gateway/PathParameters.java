package io.fluxbus.examples.gateway;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import reactor.netty.http.server.HttpServerRequest;

/**
 * Reads path and query parameters, percent-decoded as UTF-8, strictly: a pattern's {@code #} must travel as
 * {@code %23} ({@code /events/orders.%23}), because a raw {@code #} starts the URL's fragment and never reaches the
 * server. A {@code %} not followed by two hex digits, or bytes that are not UTF-8 (escaped, or raw in the request
 * line, which Netty reads one character per byte), are refused with a 400 by {@link #check} before any route runs,
 * so the readers here never fail.
 */
final class PathParameters {

  private PathParameters() {}

  /** The decoded path parameter, or null; a {@code +} stays a plus, as paths have no form encoding. */
  static String decoded(HttpServerRequest request, String name) {
    String raw = request.param(name);
    return raw == null ? null : decode(raw, false);
  }

  /** The first value of a query parameter, decoded ({@code +} is a space there), or null. */
  static String query(HttpServerRequest request, String name) {
    String uri = request.uri();
    int start = uri.indexOf('?');
    if (start < 0) {
      return null;
    }
    for (String pair : uri.substring(start + 1).split("&")) {
      int equals = pair.indexOf('=');
      String key = decode(equals < 0 ? pair : pair.substring(0, equals), true);
      if (key.equals(name)) {
        return equals < 0 ? "" : decode(pair.substring(equals + 1), true);
      }
    }
    return null;
  }

  /**
   * What is wrong with a request target's encoding, or null when nothing is.
   *
   * @param uri the request target as received: path and query
   * @return a 400 naming the malformed escape or the bytes that are not UTF-8, with the target as the value
   */
  static ApiError check(String uri) {
    int query = uri.indexOf('?');
    if (!uri.startsWith("/")) {
      return ApiError.badRequest("invalid_target", "the request target must be a path starting with '/'", uri);
    }
    try {
      decode(query < 0 ? uri : uri.substring(0, query), false);
      if (query >= 0) {
        decode(uri.substring(query + 1), true);
      }
    } catch (IllegalArgumentException e) {
      return ApiError.badRequest(e instanceof CharacterCodingFailure ? "invalid_utf8" : "invalid_escape",
          e.getMessage(), uri);
    }
    try {
      // Reactor Netty's routes read the path through java.net.URI, which refuses some characters (quotes, angle
      // brackets, backslashes, and raw bytes that read as control characters, as some UTF-8 does)
      URI.create("http://gateway" + (query < 0 ? uri : uri.substring(0, query)));
    } catch (IllegalArgumentException e) {
      return ApiError.badRequest("invalid_target", "the request target has a character that must be "
          + "percent-encoded (" + e.getMessage().replaceFirst(":.*", "") + "); escape non-ASCII as UTF-8, "
          + "e.g. %E2%82%AC for €", uri);
    }
    return null;
  }

  /**
   * Percent-decodes as UTF-8.
   *
   * @throws IllegalArgumentException naming the index of a malformed escape
   * @throws CharacterCodingFailure when the bytes are not UTF-8
   */
  private static String decode(String raw, boolean plusIsSpace) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%') {
        int high = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
        int low = high < 0 ? -1 : Character.digit(raw.charAt(i + 2), 16);
        if (low < 0) {
          throw new IllegalArgumentException("malformed percent-escape at index " + i + " of '" + raw
              + "': '%' must be followed by two hex digits; write a '%' itself as %25");
        }
        bytes.write(high << 4 | low);
        i += 2;
      } else if (c == '+' && plusIsSpace) {
        bytes.write(' ');
      } else if (c > 0xFF) {
        throw new CharacterCodingFailure("'" + raw + "' has the character U+" + Integer.toHexString(c)
            + " at index " + i + ", which is not a byte of the request line");
      } else {
        bytes.write(c);
      }
    }
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes.toByteArray()))
          .toString();
    } catch (CharacterCodingException e) {
      throw new CharacterCodingFailure("'" + raw + "' is not UTF-8 once percent-decoded; send text as UTF-8, "
          + "escaping bytes outside ASCII (é is %C3%A9)");
    }
  }

  /** Decoded bytes that are not UTF-8. */
  private static final class CharacterCodingFailure extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    CharacterCodingFailure(String message) {
      super(message);
    }
  }
}
