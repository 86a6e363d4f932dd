package io.fluxbus.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fluxbus.Event;
import io.fluxbus.codec.EventCodec;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reactivestreams.Subscription;
import reactor.core.Disposable;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;

@DisplayName("GET /events/{pattern} (Server-Sent Events)")
class GatewayStreamTest {

  private Gateway gateway;
  private GatewayClient client;

  @TempDir
  Path dir;

  private void start() {
    gateway = TestGateways.start();
    client = new GatewayClient(gateway);
  }

  @AfterEach
  void stop() {
    if (gateway != null) {
      gateway.stop().block(GatewayClient.TIMEOUT);
    }
  }

  @Test
  @DisplayName("an event published over HTTP arrives on a matching stream as CloudEvents JSON with its id")
  void httpPublishReachesAStream() {
    start();
    try (RecordedStream stream = client.record("/events/orders.%23").awaitReady()) {

      GatewayClient.Answer published = client.post("/events/orders.placed", "{\"id\": 1}", "Fluxbus-Key", "c-1");

      GatewayClient.SseMessage message = stream.awaitEvents(1).get(0);
      Event<Object> event = EventCodec.json().decode(message.data());
      assertThat(message.id()).isEqualTo(published.json().get("eventId").asText()).isEqualTo(event.id());
      assertThat(event.topic()).isEqualTo("orders.placed");
      assertThat(event.key()).isEqualTo("c-1");
      assertThat(event.payload()).isEqualTo(Map.of("id", 1));
      assertThat(message.json().get("specversion").asText()).isEqualTo("1.0");
    }
  }

  @Test
  @DisplayName("streams in one ?group= share the events, each event going to one of them; others get every event")
  void groupStreamsShareEvents() {
    start();
    Queue<String> first = new ConcurrentLinkedQueue<>();
    Queue<String> second = new ConcurrentLinkedQueue<>();
    Queue<String> everything = new ConcurrentLinkedQueue<>();
    List<Disposable> streams = List.of(
        client.events("/events/orders.%2A?group=billing").filter(m -> m.id() != null).subscribe(m -> first.add(m.id())),
        client.events("/events/orders.%2A?group=billing").filter(m -> m.id() != null).subscribe(m -> second.add(m.id())),
        client.events("/events/orders.%2A").filter(m -> m.id() != null).subscribe(m -> everything.add(m.id())));
    // two copies per event: the group counts once
    await().atMost(GatewayClient.TIMEOUT).until(() -> gateway.bus().subscriberCount("orders.placed") == 2);

    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 10; i++) {
      GatewayClient.Answer answer = client.post("/events/orders.placed", "{\"n\": " + i + "}");
      assertThat(answer.json().get("delivered").asInt()).isEqualTo(2);
      ids.add(answer.json().get("eventId").asText());
    }

    await().atMost(GatewayClient.TIMEOUT).until(() -> everything.size() == 10 && first.size() + second.size() == 10);
    streams.forEach(Disposable::dispose);
    assertThat(everything).containsExactlyInAnyOrderElementsOf(ids);
    assertThat(first).isNotEmpty().doesNotContainAnyElementsOf(second);
    assertThat(second).isNotEmpty();
    assertThat(new HashSet<>(first)).hasSize(first.size());
    Set<String> shared = new HashSet<>(first);
    shared.addAll(second);
    assertThat(shared).isEqualTo(ids);
  }

  @Test
  @DisplayName("a client that disconnects cancels its subscription on the bus")
  void disconnectCancelsTheSubscription() {
    start();
    RecordedStream stream = client.record("/events/audit.%23").awaitReady();
    assertThat(gateway.bus().topics()).contains("audit.#");

    stream.close();

    await().atMost(GatewayClient.TIMEOUT).until(() -> !gateway.bus().topics().contains("audit.#"));
    assertThat(gateway.bus().subscriberCount("audit.login")).isZero();
  }

  @Test
  @DisplayName("stopping the gateway drains the bus: streams get what was published, then end")
  void stopDrainsStreamsThenEndsThem() {
    start();
    RecordedStream stream = client.record("/events/%23").awaitReady();
    client.post("/events/orders.placed", "{\"last\": true}");

    gateway.stop().block(GatewayClient.TIMEOUT);

    stream.awaitCompleted();
    assertThat(stream.events()).singleElement()
        .satisfies(message -> assertThat(message.json().get("data").get("last").asBoolean()).isTrue());
  }

  @Test
  @DisplayName("a stream whose client stops reading loses events by the delivery mode (drop), counted, and stays open")
  void slowClientFollowsTheDeliveryMode() {
    gateway = TestGateways.start(dir, """
        engines:
          - name: small
            type: memory
            config: { bufferSize: 4, deliveryMode: drop }
        """);
    client = new GatewayClient(gateway);
    // the client takes the first message and then nothing: its socket fills, then the subscription's buffer
    Disposable stalled = client.events("/events/bulk.%23").subscribeWith(new BaseSubscriber<>() {
      @Override
      protected void hookOnSubscribe(Subscription subscription) {
        subscription.request(1);
      }
    });
    await().atMost(GatewayClient.TIMEOUT).until(() -> gateway.bus().subscriberCount("bulk.data") == 1);
    String blob = "x".repeat(64 * 1024);

    Integer droppedAt = Flux.range(0, 2_000)
        .concatMap(i -> gateway.bus().publish("bulk.data", Map.of("i", i, "blob", blob)))
        .takeUntil(result -> result.dropped() > 0)
        .count()
        .map(Long::intValue)
        .block(GatewayClient.TIMEOUT);

    assertThat(droppedAt).isLessThan(2_000);
    assertThat(gateway.registry().get("fluxbus.events.dropped").tag("reason", "buffer_full").functionCounter()
        .count()).isPositive();
    assertThat(gateway.bus().subscriberCount("bulk.data")).isEqualTo(1);
    stalled.dispose();
  }

  /**
   * Catches a stream that drops silently (the old behaviour): no {@code dropped} message comes, or its counts do not
   * add up to what the bus dropped for the stream.
   */
  @Test
  @DisplayName("a client that fell behind is told how many events it missed, before the next event")
  void slowClientIsToldWhatItMissed() {
    gateway = TestGateways.start(dir, """
        engines:
          - name: small
            type: memory
            config: { bufferSize: 4, deliveryMode: drop }
        """);
    client = new GatewayClient(gateway);
    List<GatewayClient.SseMessage> received = new java.util.concurrent.CopyOnWriteArrayList<>();
    BaseSubscriber<GatewayClient.SseMessage> reader = new BaseSubscriber<>() {
      @Override
      protected void hookOnSubscribe(Subscription subscription) {
        subscription.request(1);
      }

      @Override
      protected void hookOnNext(GatewayClient.SseMessage message) {
        received.add(message);
      }
    };
    client.events("/events/bulk.%23").subscribe(reader);
    await().atMost(GatewayClient.TIMEOUT).until(() -> gateway.bus().subscriberCount("bulk.data") == 1);
    String blob = "x".repeat(64 * 1024);
    Flux.range(0, 2_000)
        .concatMap(i -> gateway.bus().publish("bulk.data", Map.of("i", i, "blob", blob)))
        .takeUntil(result -> result.dropped() > 0)
        .blockLast(GatewayClient.TIMEOUT);

    // the client catches up; markers are published until one gets through, as the buffer may still be full
    reader.request(Long.MAX_VALUE);
    await().atMost(GatewayClient.TIMEOUT).until(() -> received.stream()
        .anyMatch(m -> m.data() != null && m.data().contains("\"marker\":true"))
        || gateway.bus().publish("bulk.data", Map.of("marker", true)).map(result -> false).block(GatewayClient.TIMEOUT));

    reader.dispose();
    long dropped = gateway.bus().stats().dropped();
    List<GatewayClient.SseMessage> notices = received.stream().filter(m -> "dropped".equals(m.event())).toList();
    assertThat(dropped).isPositive();
    assertThat(notices).isNotEmpty();
    assertThat(notices.stream().mapToLong(m -> m.json().get("missed").asLong()).sum()).isEqualTo(dropped);
  }

  /** Catches a resume on the memory engine that says nothing: the client would think it missed nothing. */
  @Test
  @DisplayName("a Last-Event-ID resume on an engine that does not replay opens with resume-impossible")
  void impossibleResumeIsAnnounced() {
    start();
    Event<Object> seen = Event.of("orders.placed", Map.of("n", 1));

    try (RecordedStream stream = client.record("/events/orders.%23", "Last-Event-ID", seen.id()).awaitReady()) {
      await().atMost(GatewayClient.TIMEOUT).until(() -> !stream.notices().isEmpty());

      GatewayClient.SseMessage notice = stream.notices().get(0);
      assertThat(notice.event()).isEqualTo("resume-impossible");
      assertThat(notice.json().get("lastEventId").asText()).isEqualTo(seen.id());
      assertThat(notice.json().get("engines").get(0).asText()).isEqualTo("memory");
    }
  }

  @Test
  @DisplayName("a bad pattern, group or Last-Event-ID is a 400 before the stream starts")
  void badStreamRequestsAre400() {
    start();

    GatewayClient.Answer pattern = client.get("/events/orders.%23x");
    GatewayClient.Answer group = client.get("/events/orders.%23?group=%20");
    GatewayClient.Answer lastId = client.send(java.net.http.HttpRequest.newBuilder(
        java.net.URI.create(client.url("/events/orders.%23"))).header("Last-Event-ID", "not-an-id"));

    assertThat(pattern.status()).isEqualTo(400);
    assertThat(pattern.json().get("error").asText()).isEqualTo("invalid_pattern");
    assertThat(pattern.json().get("value").asText()).isEqualTo("orders.#x");
    assertThat(group.json().get("error").asText()).isEqualTo("invalid_group");
    assertThat(lastId.json().get("error").asText()).isEqualTo("invalid_last_event_id");
    assertThat(lastId.json().get("value").asText()).isEqualTo("not-an-id");
  }

  @Test
  @DisplayName("a resumed stream skips the event named by Last-Event-ID and older ones")
  void resumedStreamSkipsWhatTheClientSaw() {
    start();
    Event<Object> seen = Event.of("orders.placed", Map.of("n", 1));
    Event<Object> fresh = Event.of("orders.placed", Map.of("n", 2));
    try (RecordedStream stream = client.record("/events/orders.%23", "Last-Event-ID", seen.id()).awaitReady()) {

      gateway.bus().publish(seen).then(gateway.bus().publish(fresh)).block(GatewayClient.TIMEOUT);

      assertThat(stream.awaitEvents(1).get(0).id()).isEqualTo(fresh.id());
      assertThat(stream.events()).hasSize(1);
    }
  }

  /**
   * Catches writing an event's id into the {@code id:} field as it is (checked by writing it so again): an event
   * published on the bus by any publisher with a line break in its id forged a second message to every stream.
   */
  @Test
  @DisplayName("an event whose id has a line break arrives as one message with no id field, not as a forged one")
  void idWithALineBreakCannotForgeAMessage() {
    start();
    Event<Object> odd = new Event<>("x\ndata: {\"forged\":true}\n\nid: y", "orders.placed", Map.of("n", 1), null, 1,
        "urn:test", null, null, null, Map.of());
    Event<Object> plain = Event.of("orders.placed", Map.of("n", 2));
    try (RecordedStream stream = client.record("/events/orders.%23").awaitReady()) {

      gateway.bus().publish(odd).then(gateway.bus().publish(plain)).block(GatewayClient.TIMEOUT);

      List<GatewayClient.SseMessage> events = stream.awaitEvents(2);
      assertThat(events.get(0).id()).isNull();
      assertThat(EventCodec.json().decode(events.get(0).data()).id()).isEqualTo(odd.id());
      assertThat(events.get(1).id()).isEqualTo(plain.id());
      assertThat(stream.events()).hasSize(2);
    }
  }
}
