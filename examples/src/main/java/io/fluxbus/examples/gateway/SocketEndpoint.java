package io.fluxbus.examples.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fluxbus.CodecException;
import io.fluxbus.Event;
import io.fluxbus.EventBus;
import io.fluxbus.codec.EventCodec;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.http.websocket.WebsocketInbound;
import reactor.netty.http.websocket.WebsocketOutbound;

/**
 * {@code /ws}: publish and subscribe over one WebSocket, one JSON text message per request and answer.
 *
 * <pre>{@code
 * -> {"type":"publish","id":"p1","topic":"orders.placed","payload":{"total":42},"key":"c-7","version":1,
 *     "correlationId":"..."}
 * <- {"type":"published","id":"p1","result":{"eventId":"...","delivered":1,"dropped":0}}
 * -> {"type":"subscribe","id":"s1","pattern":"orders.#","group":"billing"}
 * <- {"type":"subscribed","id":"s1","pattern":"orders.#"}
 * <- {"type":"event","id":"s1","event":{...CloudEvents JSON...}}
 * -> {"type":"unsubscribe","id":"s1"}
 * <- {"type":"unsubscribed","id":"s1"}
 * <- {"type":"error","id":"p1","error":"invalid_topic","message":"...","value":"..."}
 * }</pre>
 *
 * {@code id} is the client's name for the request and, for a subscription, for the subscription (unique per
 * connection, at most {@value #MAX_SUBSCRIPTIONS} at once). Subscriptions are async, like SSE streams: a slow
 * client leaves them without demand, so the delivery mode decides. Closing the socket cancels them; a bus stop
 * completes them with {@code unsubscribed}.
 *
 * <p>What one connection holds is bounded: at most {@value #MAX_IN_FLIGHT} requests are worked on at once, each
 * subscription holds at most one event ready to write, and messages are written one at a time, the next once the
 * last has reached the socket. A client that stops reading therefore stops the gateway reading its socket (TCP
 * pushes back on its sends) and leaves its subscriptions without demand; nothing grows in the gateway. The counts
 * are kept in {@link SocketBacklog}.
 */
final class SocketEndpoint {

  static final int MAX_SUBSCRIPTIONS = 64;

  /** Requests of one connection worked on at once; while that many wait, the socket is not read. */
  static final int MAX_IN_FLIGHT = 16;

  /**
   * The most messages one connection makes the gateway hold: its requests in flight, two ready messages per
   * subscription (one taken from the bus, one queued to be written) and a few on their way to the socket.
   */
  static int maxHeld(int subscriptions) {
    return MAX_IN_FLIGHT + 2 * subscriptions + 4;
  }

  private final EventBus bus;
  private final OpenStreams streams;
  private final TopicActivity activity;
  private final int maxFrameBytes;
  private final SocketBacklog backlog;
  private final Sinks.Empty<Void> stopping = Sinks.empty();
  /** Stands for the close frame in a connection's messages; compared by identity. */
  @SuppressWarnings("StringOperationCanBeSimplified")
  private static final String GOING_AWAY = new String("going away");
  private final Set<Connection> open = ConcurrentHashMap.newKeySet();

  SocketEndpoint(EventBus bus, OpenStreams streams, TopicActivity activity, int maxFrameBytes,
                 SocketBacklog backlog) {
    this.bus = bus;
    this.streams = streams;
    this.activity = activity;
    this.maxFrameBytes = maxFrameBytes;
    this.backlog = backlog;
  }

  Mono<Void> handle(WebsocketInbound in, WebsocketOutbound out) {
    // before the aggregation, which counts only whole messages, and closes without a reason
    Sinks.Empty<Void> violated = Sinks.empty();
    in.withConnection(netty -> SocketFrameLimits.install(netty, maxFrameBytes, violated));
    Connection connection = new Connection(backlog.open());
    Flux<String> answers = in.aggregateFrames(maxFrameBytes).receive().asString()
        .doOnRequest(connection.held::requested)
        .doOnNext(text -> connection.held.read())
        .flatMap(text -> answer(text, connection).switchIfEmpty(Mono.fromRunnable(connection.held::release)),
            MAX_IN_FLIGHT, 1);
    // a subscription's slot here is freed once its last message is taken, which may be after the client reused
    // its id; the margin keeps a new subscription from waiting for a slot, so it is active before it is confirmed
    Flux<String> events = connection.opened.asFlux().flatMap(stream -> stream, MAX_SUBSCRIPTIONS + MAX_IN_FLIGHT, 1);
    // the close frame is sent before the inbound is cancelled, which would send an empty one of its own
    Flux<String> goingAway = stopping.asMono().thenReturn(GOING_AWAY).flux();
    return Flux.merge(1, answers, events, goingAway)
        .takeUntilOther(in.receiveCloseStatus())
        // closed for a violation: nothing more can be written, so the subscriptions end now, not at the close
        .takeUntilOther(violated.asMono())
        .takeUntil(message -> message == GOING_AWAY)
        .concatMap(message -> message == GOING_AWAY ? out.sendClose(1001, "the gateway is stopping")
            : out.sendString(Mono.just(message)).then().doFinally(s -> connection.held.release()), 1)
        .then()
        .doOnSubscribe(subscription -> open.add(connection))
        .doFinally(signal -> {
          connection.held.close();
          open.remove(connection);
          connection.ended.tryEmitEmpty();
        });
  }

  /**
   * The gateway is stopping: every connection, once what it holds is written, gets a close frame with 1001 (going
   * away) and a reason, rather than a dropped connection. Call after the bus has stopped, so subscriptions have
   * sent their {@code unsubscribed}. Completes once every connection has been closed so.
   */
  Mono<Void> stop() {
    stopping.tryEmitEmpty();
    return Mono.when(open.stream().map(connection -> connection.ended.asMono()).toList());
  }

  /**
   * One connection's state.
   *
   * @param subscriptions its subscriptions by id, each with the signal that ends it
   * @param opened the message streams of its subscriptions, merged into what is written
   * @param held what it holds
   * @param ended completes when the connection's handling has ended
   */
  private record Connection(Map<String, Sinks.Empty<Void>> subscriptions, Sinks.Many<Flux<String>> opened,
                            SocketBacklog.Connection held, Sinks.Empty<Void> ended) {
    Connection(SocketBacklog.Connection held) {
      this(new ConcurrentHashMap<>(), Sinks.many().unicast().onBackpressureBuffer(), held, Sinks.empty());
    }
  }

  private Mono<String> answer(String text, Connection connection) {
    String id = null;
    try {
      JsonNode request = Inputs.MESSAGES.readTree(text);
      if (request == null || !request.isObject()) {
        throw Inputs.rejected("invalid_message", "a message is a JSON object with a 'type'", text);
      }
      id = optional(request, "id");
      String type = optional(request, "type");
      return switch (type == null ? "" : type) {
        case "publish" -> publish(id, request);
        case "subscribe" -> subscribe(id, request, connection);
        case "unsubscribe" -> unsubscribe(id, connection.subscriptions());
        default -> throw Inputs.rejected("invalid_message", "unknown message type '" + type + "'; types are "
            + "publish, subscribe and unsubscribe", type);
      };
    } catch (StreamConstraintsException e) {
      return Mono.just(error(null, Inputs.tooDeep(text)));
    } catch (JsonProcessingException e) {
      return Mono.just(error(null, Inputs.rejected("invalid_json", "the message is not valid JSON: "
          + e.getOriginalMessage(), text)));
    } catch (RuntimeException e) {
      return Mono.just(error(id, e));
    }
  }

  private Mono<String> publish(String id, JsonNode request) throws JsonProcessingException {
    String topic = Inputs.topic(optional(request, "topic"));
    JsonNode payload = request.get("payload");
    if (payload == null || payload.isNull()) {
      throw Inputs.rejected("invalid_event", "'payload' is missing; an event needs a payload (use {} for none)",
          null);
    }
    JsonNode version = request.get("version");
    PublishRequest publish = new PublishRequest(topic, Inputs.MESSAGES.treeToValue(payload, Object.class),
        Inputs.optionalText(optional(request, "key"), "key"),
        Inputs.version(version == null || version.isNull() ? null : version.asText(), "version"),
        Inputs.optionalText(optional(request, "correlationId"), "correlationId"));
    return bus.publish(publish.toEvent())
        .doOnSuccess(result -> activity.published(topic))
        .map(result -> reply("published", id).set("result", JsonResponses.MAPPER.valueToTree(result)).toString())
        .onErrorResume(e -> Mono.just(error(id, e)));
  }

  /** Opens the subscription; its messages, from {@code subscribed} on, go out with the connection's events. */
  private Mono<String> subscribe(String id, JsonNode request, Connection connection) {
    Map<String, Sinks.Empty<Void>> subscriptions = connection.subscriptions();
    if (id == null) {
      throw Inputs.rejected("invalid_message", "a subscribe message needs an 'id' to unsubscribe it by", null);
    }
    String pattern = Inputs.pattern(optional(request, "pattern"));
    var options = Inputs.streamOptions(optional(request, "group"));
    Sinks.Empty<Void> cancel = Sinks.empty();
    if (subscriptions.size() >= MAX_SUBSCRIPTIONS) {
      throw Inputs.rejected("too_many_subscriptions", "this connection already has " + MAX_SUBSCRIPTIONS
          + " subscriptions; unsubscribe one first", id);
    }
    if (subscriptions.putIfAbsent(id, cancel) != null) {
      throw Inputs.rejected("duplicate_id", "subscription id '" + id + "' is in use on this connection", id);
    }
    String prefix = reply("event", id).toString();
    Flux<String> events = bus.subscribe(pattern, Object.class, options)
        .map(event -> eventMessage(prefix, event))
        .takeUntilOther(cancel.asMono())
        .concatWith(Mono.fromSupplier(() -> reply("unsubscribed", id).toString()))
        .doFinally(signal -> subscriptions.remove(id, cancel));
    // merge subscribes in order: the subscription is active before it is acknowledged
    Flux<String> messages = streams.track(pattern, Flux.merge(1, events,
            Mono.fromSupplier(() -> reply("subscribed", id).put("pattern", pattern).toString())))
        .doOnNext(message -> connection.held().add());
    connection.opened().emitNext(messages, Sinks.EmitFailureHandler.FAIL_FAST);
    return Mono.empty();
  }

  private Mono<String> unsubscribe(String id, Map<String, Sinks.Empty<Void>> subscriptions) {
    if (id == null) {
      throw Inputs.rejected("invalid_message", "an unsubscribe message needs the 'id' of the subscription; open "
          + "ones: " + subscriptions.keySet(), null);
    }
    Sinks.Empty<Void> cancel = subscriptions.get(id);
    if (cancel == null) {
      throw Inputs.rejected("unknown_subscription", "no subscription '" + id + "' on this connection; open ones: "
          + subscriptions.keySet(), id);
    }
    cancel.tryEmitEmpty();
    return Mono.empty();
  }

  /** The event message: the prefix {@code {"type":"event","id":…}} with the CloudEvent spliced in, unparsed. */
  private static String eventMessage(String prefix, Event<?> event) {
    try {
      return prefix.substring(0, prefix.length() - 1) + ",\"event\":" + EventCodec.json().encodeToString(event)
          + "}";
    } catch (CodecException e) {
      return prefix.substring(0, prefix.length() - 1) + ",\"skipped\":" + JsonResponses.write(e.getMessage()) + "}";
    }
  }

  private static ObjectNode reply(String type, String id) {
    ObjectNode reply = JsonResponses.MAPPER.createObjectNode().put("type", type);
    return id == null ? reply : reply.put("id", id);
  }

  private static String error(String id, Throwable failure) {
    ApiError error = ApiError.of(failure);
    ObjectNode reply = reply("error", id).put("error", error.error()).put("message", error.message());
    return (error.value() == null ? reply : reply.put("value", error.value())).toString();
  }

  private static String optional(JsonNode request, String field) {
    JsonNode value = request.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isValueNode()) {
      throw Inputs.rejected("invalid_message", "'" + field + "' must be a string, got " + value.getNodeType(),
          value.toString());
    }
    return value.asText();
  }
}
