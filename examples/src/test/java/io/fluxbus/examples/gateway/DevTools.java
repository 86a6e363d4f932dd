package io.fluxbus.examples.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.Disposable;
import reactor.core.publisher.Sinks;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.WebsocketClientSpec;

/**
 * The few Chrome DevTools Protocol calls the dashboard test needs, over Reactor Netty's WebSocket client: no
 * browser-driver dependency. {@link #call} sends a command and waits (bounded, on the test thread) for its answer;
 * events from the browser are kept, for {@link #events}.
 */
final class DevTools implements AutoCloseable {

  private final Sinks.Many<String> outbound = Sinks.many().unicast().onBackpressureBuffer();
  private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
  private final AtomicInteger ids = new AtomicInteger();
  private final Queue<JsonNode> events = new ConcurrentLinkedQueue<>();
  private final Disposable connection;
  private final Duration timeout;

  /** Connects to the browser endpoint {@code ws://127.0.0.1:<port>/devtools/browser/<id>}. */
  DevTools(String browserUrl, Duration timeout) {
    this.timeout = timeout;
    this.connection = HttpClient.create()
        .websocket(WebsocketClientSpec.builder().maxFramePayloadLength(16 << 20).build())
        .uri(browserUrl)
        .handle((in, out) -> out.sendString(outbound.asFlux()).then()
            .and(in.receive().asString().doOnNext(this::answer).then()))
        .subscribe(null, error -> pending.values().forEach(f -> f.completeExceptionally(error)));
  }

  /** Opens a page on {@code url} and attaches to it; returns the session id for {@link #evaluate}. */
  String open(String url) {
    String targetId = call(null, "Target.createTarget", params().put("url", url)).get("targetId").asText();
    return call(null, "Target.attachToTarget", params().put("targetId", targetId).put("flatten", true))
        .get("sessionId").asText();
  }

  /**
   * Evaluates a JavaScript expression in the page and returns its value (a promise's, once settled) as text.
   *
   * @throws AssertionError when the expression throws in the page
   */
  String evaluate(String sessionId, String expression) {
    JsonNode result = call(sessionId, "Runtime.evaluate", params().put("expression", expression)
        .put("returnByValue", true).put("awaitPromise", true));
    if (result.has("exceptionDetails")) {
      throw new AssertionError("the page threw on " + expression + ": " + result.get("exceptionDetails"));
    }
    JsonNode value = result.get("result").get("value");
    return value == null || value.isNull() ? "" : value.asText();
  }

  /** Loads {@code url} in the page; returns once the browser has started loading it. */
  void navigate(String sessionId, String url) {
    call(sessionId, "Page.navigate", params().put("url", url));
  }

  /** The events of {@code method} the browser has sent so far, e.g. {@code Network.responseReceived}. */
  List<JsonNode> events(String method) {
    return events.stream().filter(event -> event.path("method").asText().equals(method)).toList();
  }

  /** Saves a PNG screenshot of the page, laid out 1280 x 1000 pixels. */
  void screenshot(String sessionId, Path file) throws IOException {
    call(sessionId, "Emulation.setDeviceMetricsOverride", params().put("width", 1280).put("height", 1000)
        .put("deviceScaleFactor", 1).put("mobile", false));
    saveScreenshot(sessionId, file);
  }

  /** Saves a PNG screenshot of the page as it is laid out now. */
  void saveScreenshot(String sessionId, Path file) throws IOException {
    String png = call(sessionId, "Page.captureScreenshot", params().put("format", "png")).get("data").asText();
    Files.write(file, Base64.getDecoder().decode(png));
  }

  /** Sends a command and waits for its result; a protocol error fails the call. */
  JsonNode call(String sessionId, String method, ObjectNode params) {
    int id = ids.incrementAndGet();
    CompletableFuture<JsonNode> answer = new CompletableFuture<>();
    pending.put(id, answer);
    ObjectNode command = params().put("id", id).put("method", method);
    command.set("params", params);
    if (sessionId != null) {
      command.put("sessionId", sessionId);
    }
    outbound.emitNext(command.toString(), Sinks.EmitFailureHandler.busyLooping(Duration.ofSeconds(1)));
    try {
      JsonNode response = answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (response.has("error")) {
        throw new AssertionError(method + " failed: " + response.get("error"));
      }
      return response.get("result");
    } catch (TimeoutException e) {
      throw new AssertionError(method + " got no answer within " + timeout, e);
    } catch (ExecutionException e) {
      throw new AssertionError(method + ": the DevTools connection failed: " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } finally {
      pending.remove(id);
    }
  }

  private void answer(String text) {
    try {
      JsonNode message = GatewayClient.JSON.readTree(text);
      JsonNode id = message.get("id");
      if (id != null) {
        CompletableFuture<JsonNode> waiting = pending.get(id.asInt());
        if (waiting != null) {
          waiting.complete(message);
        }
      } else if (message.has("method")) {
        events.add(message);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("DevTools sent something that is not JSON: " + text, e);
    }
  }

  private static ObjectNode params() {
    return GatewayClient.JSON.createObjectNode();
  }

  @Override
  public void close() {
    outbound.tryEmitComplete();
    connection.dispose();
  }
}
