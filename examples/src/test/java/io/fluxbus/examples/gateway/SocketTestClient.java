package io.fluxbus.examples.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import reactor.core.Disposable;
import reactor.core.publisher.Sinks;
import reactor.netty.http.client.HttpClient;

/**
 * A WebSocket client for tests: {@link #send} queues a text message, {@link #next} waits (bounded, on the test
 * thread) for the next message received. Closing disconnects.
 */
final class SocketTestClient implements AutoCloseable {

  private final Sinks.Many<String> outbound = Sinks.many().unicast().onBackpressureBuffer();
  private final BlockingQueue<String> inbound = new LinkedBlockingQueue<>();
  private final Disposable connection;

  SocketTestClient(String url) {
    connection = HttpClient.create().websocket().uri(url)
        .handle((in, out) -> out.sendString(outbound.asFlux())
            .then()
            .and(in.receive().asString().doOnNext(inbound::add).then()))
        .subscribe();
  }

  void send(String message) {
    outbound.emitNext(message, Sinks.EmitFailureHandler.busyLooping(Duration.ofSeconds(1)));
  }

  /** The next message received, as JSON; fails after {@code timeout}. */
  JsonNode next(Duration timeout) {
    try {
      String message = inbound.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (message == null) {
        throw new AssertionError("no WebSocket message within " + timeout);
      }
      return GatewayClient.JSON.readTree(message);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    outbound.tryEmitComplete();
    connection.dispose();
  }
}
