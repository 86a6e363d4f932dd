package io.fluxbus.examples.gateway;

import io.fluxbus.CodecException;
import io.fluxbus.Event;
import io.fluxbus.EventBus;
import io.fluxbus.SubscribeOptions;
import io.fluxbus.codec.EventCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.time.Duration;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * {@code GET /events/{pattern}} as Server-Sent Events: one async subscription per request, in the consumer group
 * {@code ?group=} when given. Each event is one SSE message whose {@code id:} is the event id and whose
 * {@code data:} is the event as CloudEvents JSON; a {@code Last-Event-ID} header (or {@code ?lastEventId=}) resumes
 * where the engine can replay ({@link ResumePoint}).
 *
 * <p>The stream opens with the comment {@code : subscribed to <pattern>}, sent once the subscription is active, so
 * a client knows from then on it misses nothing; idle streams get a {@code : keep-alive} comment every heartbeat. A
 * slow client stops taking events and its subscription's buffer fills, so the engine's delivery mode decides (drop,
 * block, timeout). A disconnect cancels the subscription; a bus stop drains and completes the stream. Bad patterns,
 * groups and ids are answered with a 400 JSON error before the stream starts.
 */
final class EventStreamEndpoint {

  private final EventBus bus;
  private final OpenStreams streams;
  private final Duration heartbeat;

  EventStreamEndpoint(EventBus bus, OpenStreams streams, Duration heartbeat) {
    this.bus = bus;
    this.streams = streams;
    this.heartbeat = heartbeat;
  }

  Mono<Void> handle(HttpServerRequest request, HttpServerResponse response) {
    Flux<String> frames;
    try {
      String pattern = Inputs.pattern(PathParameters.decoded(request, "pattern"));
      SubscribeOptions options = Inputs.streamOptions(PathParameters.query(request, "group"));
      String lastEventId = request.requestHeaders().get("Last-Event-ID");
      ResumePoint resume = ResumePoint.parse(lastEventId != null ? lastEventId
          : PathParameters.query(request, "lastEventId"));
      frames = frames(pattern, resume == null ? options : resume.applyTo(options), resume);
    } catch (RequestRejected rejected) {
      return JsonResponses.error(response, rejected.error());
    }
    return response.sse()
        .header(HttpHeaderNames.CACHE_CONTROL, "no-cache")
        .header("X-Accel-Buffering", "no")
        .sendString(frames)
        .then();
  }

  private Flux<String> frames(String pattern, SubscribeOptions options, ResumePoint resume) {
    Sinks.Empty<Void> ended = Sinks.empty();
    Flux<Event<Object>> events = bus.subscribe(pattern, Object.class, options);
    if (resume != null) {
      events = events.filter(resume::isNew);
    }
    Flux<String> eventFrames = events.map(EventStreamEndpoint::message)
        .onErrorResume(error -> Mono.just("event: fluxbus-error\ndata: " + JsonResponses.write(ApiError.of(error))
            + "\n\n"))
        .doFinally(signal -> ended.tryEmitEmpty());
    Flux<String> keepAlive = Flux.interval(heartbeat).map(tick -> ": keep-alive\n\n").takeUntilOther(ended.asMono());
    // merge subscribes in order: the bus subscription is active before the first comment is sent
    return streams.track(pattern, Flux.merge(eventFrames, Mono.just(": subscribed to " + pattern + "\n\n"),
        keepAlive));
  }

  /** One SSE message; CloudEvents JSON from the codec is one line, so it is one {@code data:} line. */
  static String message(Event<?> event) {
    String json;
    try {
      json = EventCodec.json().encodeToString(event);
    } catch (CodecException e) {
      return ": event " + event.id() + " on '" + event.topic() + "' skipped: " + e.getMessage().replace('\n', ' ')
          + "\n\n";
    }
    return "id: " + event.id() + "\ndata: " + json + "\n\n";
  }
}
