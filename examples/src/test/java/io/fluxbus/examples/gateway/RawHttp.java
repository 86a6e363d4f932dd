package io.fluxbus.examples.gateway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * HTTP/1.1 requests written byte for byte, for what the JDK's client refuses to send (malformed escapes, raw
 * non-ASCII, oversized heads); one connection per request, closed by the server after the answer.
 */
final class RawHttp {

  private RawHttp() {}

  /**
   * Sends {@code method target} with {@code headers} (complete lines without CRLF) and a body when not null, and
   * reads the whole answer.
   */
  static GatewayClient.Answer send(int port, String method, String target, String body, String... headers) {
    StringBuilder head = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n")
        .append("Host: 127.0.0.1\r\nConnection: close\r\n");
    for (String header : headers) {
      head.append(header).append("\r\n");
    }
    byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    if (body != null) {
      head.append("Content-Length: ").append(bytes.length).append("\r\n");
    }
    head.append("\r\n");
    // the request line and headers travel as their UTF-8 bytes, as curl sends what it is given
    return exchange(port, head.toString().getBytes(StandardCharsets.UTF_8), bytes);
  }

  /**
   * Writes {@code head} and {@code body} as they are, in one write (a server that answers from the head alone and
   * closes would otherwise reset the connection over the unread body), and reads the answer until the server
   * closes.
   */
  static GatewayClient.Answer exchange(int port, byte[] head, byte[] body) {
    try (RawSocket socket = new RawSocket(port)) {
      byte[] request = new byte[head.length + body.length];
      System.arraycopy(head, 0, request, 0, head.length);
      System.arraycopy(body, 0, request, head.length, body.length);
      socket.write(request);
      return parse(socket.readToEnd());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Parses an answer read as ISO-8859-1: status, content type and body (de-chunked, as UTF-8). */
  static GatewayClient.Answer parse(String raw) {
    int end = raw.indexOf("\r\n\r\n");
    if (!raw.startsWith("HTTP/1.1 ") || end < 0) {
      throw new IllegalStateException("not an HTTP answer: '" + raw + "'");
    }
    String[] lines = raw.substring(0, end).split("\r\n");
    int status = Integer.parseInt(lines[0].substring(9, 12));
    String contentType = null;
    boolean chunked = false;
    for (String line : lines) {
      String lower = line.toLowerCase(Locale.ROOT);
      if (lower.startsWith("content-type:")) {
        contentType = line.substring(13).trim();
      } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
        chunked = true;
      }
    }
    String body = raw.substring(end + 4);
    if (chunked) {
      StringBuilder joined = new StringBuilder();
      int at = 0;
      while (true) {
        int lineEnd = body.indexOf("\r\n", at);
        int size = Integer.parseInt(body.substring(at, lineEnd).trim(), 16);
        if (size == 0) {
          break;
        }
        joined.append(body, lineEnd + 2, lineEnd + 2 + size);
        at = lineEnd + 2 + size + 2;
      }
      body = joined.toString();
    }
    return new GatewayClient.Answer(status, contentType,
        new String(body.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8));
  }
}
