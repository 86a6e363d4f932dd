package io.fluxbus.examples.gateway;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

/**
 * An event stream recorded as it arrives, for tests that act between its messages on the test thread (never on
 * the client's event loop): wait until it is ready, act, then wait for what it should receive. Waits are bounded.
 */
final class RecordedStream implements AutoCloseable {

  private final List<GatewayClient.SseMessage> messages = new CopyOnWriteArrayList<>();
  private final AtomicBoolean completed = new AtomicBoolean();
  private final AtomicReference<Throwable> failed = new AtomicReference<>();
  private final Disposable subscription;
  private final Duration timeout;

  RecordedStream(Flux<GatewayClient.SseMessage> stream, Duration timeout) {
    this.timeout = timeout;
    this.subscription = stream.subscribe(messages::add, failed::set, () -> completed.set(true));
  }

  /** Waits for the {@code subscribed} comment: from then on the stream misses no event. */
  RecordedStream awaitReady() {
    await().atMost(timeout).until(() -> failIfFailed() && messages.stream()
        .anyMatch(m -> m.comment() != null && m.comment().startsWith("subscribed to")));
    return this;
  }

  /** Waits until {@code count} events (messages with data) have arrived, and returns them. */
  List<GatewayClient.SseMessage> awaitEvents(int count) {
    await().atMost(timeout).until(() -> failIfFailed() && events().size() >= count);
    return events();
  }

  /** Waits until the stream has ended normally. */
  void awaitCompleted() {
    await().atMost(timeout).until(() -> failIfFailed() && completed.get());
  }

  /** The events received so far: messages with data and no {@code event:} name. */
  List<GatewayClient.SseMessage> events() {
    return messages.stream().filter(m -> m.data() != null && m.event() == null).toList();
  }

  /** The named messages received so far ({@code dropped}, {@code resume-impossible}, {@code fluxbus-error}). */
  List<GatewayClient.SseMessage> notices() {
    return messages.stream().filter(m -> m.event() != null).toList();
  }

  /** The comments received so far, e.g. {@code keep-alive}. */
  List<String> comments() {
    return messages.stream().map(GatewayClient.SseMessage::comment).filter(c -> c != null).toList();
  }

  @Override
  public void close() {
    subscription.dispose();
  }

  private boolean failIfFailed() {
    Throwable error = failed.get();
    if (error != null) {
      throw new AssertionError("the stream failed: " + error, error);
    }
    return true;
  }
}
