package io.fluxbus.bench;

import io.fluxbus.Event;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.concurrent.TimeUnit;

/**
 * Vert.x's local event bus: one {@code localConsumer}, which runs on its own event-loop thread, fed by
 * {@code publish} from the producer threads. Events travel by reference through a pass-through codec, as
 * Fluxbus's memory engine passes them.
 *
 * <p>Vert.x has no producer-side backpressure (vert.x#3389): events queue on the event loop without a
 * bound. The benchmark waits for the consumer's count at the end of each batch, so the backlog cannot
 * inflate the result.
 */
final class VertxHandOff implements HandOff {

  static final String ADDRESS = "bench.handoff";

  private final Vertx vertx = Vertx.vertx();
  private final EventBus bus = vertx.eventBus();
  private final MessageConsumer<Event<?>> consumer;

  @SuppressWarnings({"unchecked", "rawtypes"})
  VertxHandOff(Receiver receiver) {
    bus.registerDefaultCodec((Class) Event.class, new PassThroughCodec());
    consumer = bus.localConsumer(ADDRESS, message -> receiver.received());
    await(consumer.completion());
  }

  @Override
  public Sender newSender() {
    return event -> bus.publish(ADDRESS, event);
  }

  @Override
  public void close() {
    await(consumer.unregister());
    await(vertx.close());
  }

  private static void await(io.vertx.core.Future<?> future) {
    try {
      future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("Vert.x did not complete in 10 s", e);
    }
  }

  /** Hands the event object over unchanged; local delivery only, so the wire methods are never called. */
  private static final class PassThroughCodec implements MessageCodec<Event<?>, Event<?>> {

    @Override
    public void encodeToWire(Buffer buffer, Event<?> event) {
      throw new UnsupportedOperationException("local delivery only");
    }

    @Override
    public Event<?> decodeFromWire(int pos, Buffer buffer) {
      throw new UnsupportedOperationException("local delivery only");
    }

    @Override
    public Event<?> transform(Event<?> event) {
      return event;
    }

    @Override
    public String name() {
      return "fluxbus-event-by-reference";
    }

    @Override
    public byte systemCodecID() {
      return -1;
    }
  }
}
