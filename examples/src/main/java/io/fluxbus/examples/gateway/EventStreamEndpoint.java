package io.fluxbus.examples.gateway;

import io.fluxbus.CodecException;
import io.fluxbus.DurableEventBus;
import io.fluxbus.Event;
import io.fluxbus.SubscribeOptions;
import io.fluxbus.codec.EventCodec;
import io.fluxbus.router.EngineRouter;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
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
 *
 * <p>A client is told what it lost: events the bus dropped for its stream are announced as
 * {@code event: dropped} with {@code data: {"missed":N}} ({@link StreamLosses}), before the next event or
 * keep-alive; a resume the engine cannot serve (it does not replay) opens the stream with
 * {@code event: resume-impossible}, naming the engines, after which the stream starts from now.
 */
final class EventStreamEndpoint {

  private final EngineRouter bus;
  private final OpenStreams streams;
  private final StreamLosses losses;
  private final Duration heartbeat;

  EventStreamEndpoint(EngineRouter bus, OpenStreams streams, StreamLosses losses, Duration heartbeat) {
    this.bus = bus;
    this.streams = streams;
    this.losses = losses;
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
    AtomicLong missed = new AtomicLong();
    Flux<Event<Object>> events = losses.counting(bus.subscribe(pattern, Object.class, options), missed);
    if (resume != null) {
      events = events.filter(resume::isNew);
    }
    Flux<String> eventFrames = events.map(event -> dropped(missed) + message(event))
        .concatWith(Mono.fromSupplier(() -> dropped(missed)).filter(notice -> !notice.isEmpty()))
        .onErrorResume(error -> Mono.just("event: fluxbus-error\ndata: " + JsonResponses.write(ApiError.of(error))
            + "\n\n"))
        .doFinally(signal -> ended.tryEmitEmpty());
    Flux<String> keepAlive = Flux.interval(heartbeat)
        .map(tick -> {
          String notice = dropped(missed);
          return notice.isEmpty() ? ": keep-alive\n\n" : notice;
        })
        .takeUntilOther(ended.asMono());
    // merge subscribes in order: the bus subscription is active before the first comment is sent
    return streams.track(pattern, Flux.merge(eventFrames,
        Mono.fromSupplier(() -> ": subscribed to " + pattern + "\n\n" + resumeImpossible(pattern, resume)),
        keepAlive));
  }

  /** The {@code dropped} message for what was lost since the last one, or nothing when nothing was. */
  private static String dropped(AtomicLong missed) {
    long count = missed.getAndSet(0);
    return count == 0 ? "" : "event: dropped\ndata: {\"missed\":" + count + "}\n\n";
  }

  /** The {@code resume-impossible} message when an engine of the pattern does not replay, or nothing. */
  private String resumeImpossible(String pattern, ResumePoint resume) {
    if (resume == null) {
      return "";
    }
    List<String> engines = bus.enginesFor(pattern).stream()
        .filter(engine -> !(bus.engine(engine) instanceof DurableEventBus))
        .toList();
    if (engines.isEmpty()) {
      return "";
    }
    Map<String, Object> notice = new LinkedHashMap<>();
    notice.put("lastEventId", resume.lastEventId());
    notice.put("engines", engines);
    notice.put("message", "cannot resume after " + resume.lastEventId() + ": engine(s) " + engines
        + " do not replay; events published while disconnected are lost, and the stream starts from now");
    return "event: resume-impossible\ndata: " + JsonResponses.write(notice) + "\n\n";
  }

  /**
   * One SSE message; CloudEvents JSON from the codec is one line, so it is one {@code data:} line. An event's id is
   * not trusted to be one line (events come from any publisher on the bus): one with a CR, LF or NUL gets no
   * {@code id:} line, so it can neither end the field nor start a forged message.
   */
  static String message(Event<?> event) {
    String json;
    try {
      json = EventCodec.json().encodeToString(event);
    } catch (CodecException e) {
      return ": event " + oneLine(event.id()) + " on '" + oneLine(event.topic()) + "' skipped: "
          + oneLine(e.getMessage()) + "\n\n";
    }
    String id = event.id();
    return (id.equals(oneLine(id)) ? "id: " + id + "\n" : "") + "data: " + json + "\n\n";
  }

  /** {@code text} with CR, LF and NUL, which end or corrupt an SSE field, replaced by spaces. */
  private static String oneLine(String text) {
    return String.valueOf(text).replace('\r', ' ').replace('\n', ' ').replace('\0', ' ');
  }
}
