package io.fluxbus.examples.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import reactor.core.publisher.Flux;

/**
 * A client of a gateway under test: plain requests through the JDK's HTTP client (called on the test thread, with
 * a timeout), event streams through Reactor Netty's.
 */
final class GatewayClient {

  static final Duration TIMEOUT = Duration.ofSeconds(10);
  static final ObjectMapper JSON = new ObjectMapper();

  /**
   * An answer.
   *
   * @param status the HTTP status
   * @param contentType the content type, or null
   * @param body the body as text
   */
  record Answer(int status, String contentType, String body) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new UncheckedIOException("not JSON: " + body, e);
      }
    }
  }

  /**
   * One Server-Sent Events message.
   *
   * @param id the {@code id:} field, or null
   * @param event the {@code event:} field, or null
   * @param data the {@code data:} lines joined by newlines, or null
   * @param comment the comment lines joined by newlines, or null
   */
  record SseMessage(String id, String event, String data, String comment) {
    JsonNode json() {
      try {
        return JSON.readTree(data);
      } catch (IOException e) {
        throw new UncheckedIOException("not JSON: " + data, e);
      }
    }
  }

  private final String base;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

  GatewayClient(Gateway gateway) {
    this(gateway.port());
  }

  GatewayClient(int port) {
    this.base = "http://127.0.0.1:" + port;
  }

  String url(String path) {
    return base + path;
  }

  Answer get(String path) {
    return send(HttpRequest.newBuilder(URI.create(url(path))).GET());
  }

  /** POSTs a body; {@code headers} are name, value, name, value… */
  Answer post(String path, String body, String... headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url(path)))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return send(request);
  }

  Answer send(HttpRequest.Builder request) {
    try {
      HttpResponse<String> response = http.send(request.timeout(TIMEOUT).build(),
          HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      return new Answer(response.statusCode(), response.headers().firstValue("content-type").orElse(null),
          response.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The messages of {@code GET path} as Server-Sent Events, comments included; cancel to disconnect. */
  Flux<SseMessage> events(String path, String... headers) {
    return reactor.netty.http.client.HttpClient.create()
        .headers(h -> {
          for (int i = 0; i < headers.length; i += 2) {
            h.set(headers[i], headers[i + 1]);
          }
        })
        .get()
        .uri(url(path))
        .responseContent()
        .asString(StandardCharsets.UTF_8)
        .transform(GatewayClient::sseMessages);
  }

  /** Records {@code GET path} as Server-Sent Events; see {@link RecordedStream}. */
  RecordedStream record(String path, String... headers) {
    return new RecordedStream(events(path, headers), TIMEOUT);
  }

  /** Splits text chunks into SSE messages: a message ends at a blank line, wherever the chunks break. */
  static Flux<SseMessage> sseMessages(Flux<String> chunks) {
    return Flux.defer(() -> {
      StringBuilder pending = new StringBuilder();
      return chunks.concatMapIterable(chunk -> {
        pending.append(chunk);
        List<SseMessage> messages = new ArrayList<>();
        int end;
        while ((end = pending.indexOf("\n\n")) >= 0) {
          messages.add(parse(pending.substring(0, end)));
          pending.delete(0, end + 2);
        }
        return messages;
      });
    });
  }

  private static SseMessage parse(String frame) {
    String id = null;
    String event = null;
    StringBuilder data = null;
    StringBuilder comment = null;
    for (String line : frame.split("\n", -1)) {
      if (line.startsWith(":")) {
        comment = (comment == null ? new StringBuilder() : comment.append('\n')).append(line.substring(1).trim());
        continue;
      }
      int colon = line.indexOf(':');
      String field = colon < 0 ? line : line.substring(0, colon);
      String value = colon < 0 ? "" : line.substring(colon + 1).replaceFirst("^ ", "");
      switch (field) {
        case "id" -> id = value;
        case "event" -> event = value;
        case "data" -> data = (data == null ? new StringBuilder() : data.append('\n')).append(value);
        default -> { }
      }
    }
    return new SseMessage(id, event, data == null ? null : data.toString(),
        comment == null ? null : comment.toString());
  }
}
