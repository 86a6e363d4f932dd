package io.fluxbus.examples.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fluxbus.CodecException;
import io.fluxbus.Event;
import io.fluxbus.EventBus;
import io.fluxbus.codec.EventCodec;
import java.util.Map;
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
 */
final class SocketEndpoint {

  static final int MAX_SUBSCRIPTIONS = 64;

  private final EventBus bus;
  private final OpenStreams streams;
  private final TopicActivity activity;
  private final int maxFrameBytes;

  SocketEndpoint(EventBus bus, OpenStreams streams, TopicActivity activity, int maxFrameBytes) {
    this.bus = bus;
    this.streams = streams;
    this.activity = activity;
    this.maxFrameBytes = maxFrameBytes;
  }

  Mono<Void> handle(WebsocketInbound in, WebsocketOutbound out) {
    Map<String, Sinks.Empty<Void>> subscriptions = new ConcurrentHashMap<>();
    Flux<String> answers = in.aggregateFrames(maxFrameBytes).receive().asString()
        .flatMap(text -> answer(text, subscriptions), Integer.MAX_VALUE)
        .takeUntilOther(in.receiveCloseStatus());
    return out.sendString(answers).then();
  }

  private Flux<String> answer(String text, Map<String, Sinks.Empty<Void>> subscriptions) {
    String id = null;
    try {
      JsonNode request = JsonResponses.MAPPER.readTree(text);
      if (request == null || !request.isObject()) {
        throw Inputs.rejected("invalid_message", "a message is a JSON object with a 'type'", text);
      }
      id = optional(request, "id");
      String type = optional(request, "type");
      return switch (type == null ? "" : type) {
        case "publish" -> publish(id, request).flux();
        case "subscribe" -> subscribe(id, request, subscriptions);
        case "unsubscribe" -> unsubscribe(id, subscriptions).flux();
        default -> throw Inputs.rejected("invalid_message", "unknown message type '" + type + "'; types are "
            + "publish, subscribe and unsubscribe", type);
      };
    } catch (JsonProcessingException e) {
      return Flux.just(error(null, Inputs.rejected("invalid_json", "the message is not valid JSON: "
          + e.getOriginalMessage(), text)));
    } catch (RuntimeException e) {
      return Flux.just(error(id, e));
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
    PublishRequest publish = new PublishRequest(topic, JsonResponses.MAPPER.treeToValue(payload, Object.class),
        Inputs.optionalText(optional(request, "key"), "key"),
        Inputs.version(version == null || version.isNull() ? null : version.asText(), "version"),
        Inputs.optionalText(optional(request, "correlationId"), "correlationId"));
    return bus.publish(publish.toEvent())
        .doOnSuccess(result -> activity.published(topic))
        .map(result -> reply("published", id).set("result", JsonResponses.MAPPER.valueToTree(result)).toString())
        .onErrorResume(e -> Mono.just(error(id, e)));
  }

  private Flux<String> subscribe(String id, JsonNode request, Map<String, Sinks.Empty<Void>> subscriptions) {
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
    return streams.track(pattern, Flux.merge(events,
        Mono.fromSupplier(() -> reply("subscribed", id).put("pattern", pattern).toString())));
  }

  private Mono<String> unsubscribe(String id, Map<String, Sinks.Empty<Void>> subscriptions) {
    Sinks.Empty<Void> cancel = id == null ? null : subscriptions.get(id);
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
