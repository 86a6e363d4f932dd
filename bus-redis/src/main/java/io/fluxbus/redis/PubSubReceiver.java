package io.fluxbus.redis;

import io.fluxbus.CodecException;
import io.fluxbus.Event;
import io.fluxbus.LifecycleEvent;
import io.fluxbus.codec.EventCodec;
import io.fluxbus.internal.delivery.LocalEventBus;
import io.fluxbus.internal.log.EngineEvents;
import io.lettuce.core.pubsub.api.reactive.PatternMessage;
import java.util.concurrent.atomic.LongAdder;
import reactor.core.publisher.Mono;

/**
 * Hands events received on the bus's pattern subscription to the embedded core, one at a time and in arrival
 * order, so that a {@code block} subscription holds back later events instead of reordering them. What cannot be
 * handed over is counted and reported on {@code lifecycle()} as {@code EVENT_DROPPED}: messages beyond the inbound
 * buffer ({@code inbound_overflow}), bodies that are not CloudEvents JSON ({@code undecodable: …}) and events that
 * arrive while the core is stopping. Never signals an error, so one bad message cannot end the subscription.
 */
final class PubSubReceiver {

  private final PubSubChannels channels;
  private final LocalEventBus local;
  private final EventCodec codec;
  private final EngineEvents events;
  private final LongAdder received = new LongAdder();
  private final LongAdder dropped = new LongAdder();

  PubSubReceiver(PubSubChannels channels, LocalEventBus local, EventCodec codec, EngineEvents events) {
    this.channels = channels;
    this.local = local;
    this.codec = codec;
    this.events = events;
  }

  /**
   * Whether a message that just arrived is to be delivered: false for this bus's own events, which were delivered
   * locally at publish. Runs on Lettuce's thread, so it only compares a prefix and counts.
   */
  boolean accept(PatternMessage<String, byte[]> message) {
    if (channels.isOwn(message.getChannel())) {
      return false;
    }
    received.increment();
    return true;
  }

  /** Decodes one message and publishes it locally; completes when the core has taken it. */
  Mono<Void> deliver(PatternMessage<String, byte[]> message) {
    Event<Object> event;
    try {
      event = codec.decode(message.getMessage());
    } catch (CodecException e) {
      drop(null, "undecodable: message on channel '" + message.getChannel() + "': " + e.getMessage());
      return Mono.empty();
    }
    return local.publish(event)
        .then()
        .onErrorResume(e -> {
          drop(event.id(), "not delivered locally: " + e.getMessage());
          return Mono.empty();
        });
  }

  /** A message the inbound buffer had no room for. */
  void overflowed(PatternMessage<String, byte[]> message) {
    drop(null, "inbound_overflow: channel '" + message.getChannel() + "'");
  }

  private void drop(String eventId, String reason) {
    dropped.increment();
    events.emit(LifecycleEvent.Type.EVENT_DROPPED, eventId, reason);
  }

  /** Messages from other publishers received so far. */
  long received() {
    return received.sum();
  }

  /** Received messages that no local subscriber got (overflow, undecodable, stopping). */
  long dropped() {
    return dropped.sum();
  }
}
