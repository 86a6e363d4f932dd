package io.fluxbus.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.format.EventFormat;
import io.cloudevents.core.provider.EventFormatProvider;
import io.cloudevents.jackson.JsonFormat;
import io.fluxbus.CodecException;
import io.fluxbus.DeliveryMode;
import io.fluxbus.Event;
import io.fluxbus.EventBus;
import io.fluxbus.LifecycleEvent;
import io.fluxbus.PublishResult;
import io.fluxbus.RetryPolicy;
import io.fluxbus.SubscribeOptions;
import io.fluxbus.codec.EventCodec;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.reactivestreams.Subscription;
import reactor.core.Disposable;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * Buses on separate connections to one real Redis behave as separate processes: what one publishes reaches the
 * others of its namespace, once, with every attribute, in CloudEvents JSON that the official SDK reads.
 */
@DisplayName("RedisEventBus (pub/sub) carries events between buses")
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RedisPubSubCrossProcessTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final String PREFIX = "cross-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
  private static RedisAdmin admin;

  private final List<EventBus> buses = new ArrayList<>();
  private final List<Disposable> disposables = new ArrayList<>();
  private final String namespace = PREFIX + "-" + ThreadLocalRandom.current().nextInt(1_000_000);

  @BeforeAll
  static void connectAdmin() {
    admin = new RedisAdmin();
  }

  @AfterAll
  static void closeAdmin() {
    admin.close();
  }

  @AfterEach
  void stopBuses() {
    disposables.forEach(Disposable::dispose);
    buses.forEach(bus -> bus.stop().block(WAIT));
  }

  private RedisEventBus started(String namespace) {
    return started(RedisEventBus.builder().namespace(namespace));
  }

  private RedisEventBus started(RedisEventBus.Builder builder) {
    RedisEventBus bus = builder.url(RedisTestServer.url()).workers(2).build();
    buses.add(bus);
    bus.start().block(WAIT);
    return bus;
  }

  private Queue<Event<Object>> record(EventBus bus, String pattern) {
    Queue<Event<Object>> received = new ConcurrentLinkedQueue<>();
    bus.subscribe(pattern, event -> Mono.fromRunnable(() -> received.add(event))).block(WAIT);
    return received;
  }

  private Queue<LifecycleEvent> lifecycleOf(EventBus bus) {
    Queue<LifecycleEvent> events = new ConcurrentLinkedQueue<>();
    disposables.add(bus.lifecycle().subscribe(events::add));
    return events;
  }

  private static List<Object> payloads(Queue<Event<Object>> events) {
    return events.stream().map(Event::payload).toList();
  }

  record OrderPlaced(String orderId, int quantity) {}

  @Test
  @DisplayName("an event published on one bus reaches a bus of the same namespace with every attribute")
  void anEventReachesAnotherBusWithEveryAttribute() {
    // Given
    RedisEventBus publisher = started(RedisEventBus.builder().namespace(namespace).source("orders-service"));
    RedisEventBus receiver = started(namespace);
    Queue<Event<Object>> received = record(receiver, "order.*");
    Event<OrderPlaced> sent = Event.builder("order.placed", new OrderPlaced("o-1", 2))
        .key("customer-7").version(3).correlationId("corr-1").causationId("cause-1").header("tenant", "acme")
        .build();

    // When
    PublishResult result = publisher.publish(sent).block(WAIT);

    // Then: the publisher's result counts its own subscriptions (none); the receiver got the event once
    assertThat(result.eventId()).isEqualTo(sent.id());
    assertThat(result.delivered()).isZero();
    await().atMost(WAIT).until(() -> received.size() == 1);
    Event<Object> got = received.peek();
    assertThat(got.id()).isEqualTo(sent.id());
    assertThat(got.topic()).isEqualTo("order.placed");
    assertThat(got.key()).isEqualTo("customer-7");
    assertThat(got.version()).isEqualTo(3);
    assertThat(got.source()).isEqualTo("orders-service");
    assertThat(got.time()).isNotNull();
    assertThat(got.correlationId()).isEqualTo("corr-1");
    assertThat(got.causationId()).isEqualTo("cause-1");
    assertThat(got.headers()).isEqualTo(Map.of("tenant", "acme"));
    assertThat(got.payloadAs(OrderPlaced.class)).isEqualTo(new OrderPlaced("o-1", 2));
    assertThat(receiver.receivedCount()).isEqualTo(1);
  }

  @Test
  @DisplayName("the publishing bus delivers to its own subscribers once, not again when Redis echoes the event")
  void aBusDeliversItsOwnEventsOnce() {
    // Given
    RedisEventBus first = started(namespace);
    RedisEventBus second = started(namespace);
    Queue<Event<Object>> seenByFirst = record(first, "#");

    // When: first publishes; then second publishes, which reaches first after first's own echo would have
    first.publish("order.placed", "own").block(WAIT);
    second.publish("order.placed", "marker").block(WAIT);

    // Then
    await().atMost(WAIT).until(() -> seenByFirst.size() >= 2);
    assertThat(payloads(seenByFirst)).containsExactly("own", "marker");
    assertThat(first.receivedCount()).isEqualTo(1);
  }

  @Test
  @DisplayName("buses of another namespace see nothing")
  void busesOfAnotherNamespaceSeeNothing() {
    // Given
    String other = namespace + "-other";
    RedisEventBus publisher = started(namespace);
    RedisEventBus outsider = started(other);
    RedisEventBus outsidersNeighbour = started(other);
    Queue<Event<Object>> seenByOutsider = record(outsider, "#");

    // When: an event in the namespace, then a marker in the other one
    publisher.publish("order.placed", "not for you").block(WAIT);
    outsidersNeighbour.publish("order.placed", "marker").block(WAIT);

    // Then
    await().atMost(WAIT).until(() -> !seenByOutsider.isEmpty());
    assertThat(payloads(seenByOutsider)).containsExactly("marker");
  }

  @Test
  @DisplayName("the receiving bus matches topics exactly: '*' is one segment even though Redis globs cross dots")
  void receivedTopicsAreMatchedExactly() {
    // Given
    RedisEventBus publisher = started(namespace);
    RedisEventBus receiver = started(namespace);
    Queue<Event<Object>> received = record(receiver, "order.*");
    Queue<Event<Object>> everything = record(receiver, "#");

    // When
    publisher.publish("order.eu.created", "too deep").block(WAIT);
    publisher.publish("order.created", "match").block(WAIT);

    // Then
    await().atMost(WAIT).until(() -> everything.size() == 2);
    assertThat(payloads(received)).containsExactly("match");
  }

  @Test
  @DisplayName("a consumer group is per bus in pub/sub mode: each bus's group handles every event once")
  void aConsumerGroupIsPerBus() {
    // Given: two receiving buses, each with two members of group 'billing'
    RedisEventBus publisher = started(namespace);
    List<Queue<Event<Object>>> perBus = new ArrayList<>();
    for (int b = 0; b < 2; b++) {
      RedisEventBus bus = started(namespace);
      Queue<Event<Object>> handled = new ConcurrentLinkedQueue<>();
      for (int member = 0; member < 2; member++) {
        bus.subscribe("invoice.#", SubscribeOptions.defaults().group("billing"),
            event -> Mono.fromRunnable(() -> handled.add(event))).block(WAIT);
      }
      perBus.add(handled);
    }

    // When
    for (int i = 0; i < 20; i++) {
      publisher.publish("invoice.created", i).block(WAIT);
    }

    // Then
    for (Queue<Event<Object>> handled : perBus) {
      await().atMost(WAIT).until(() -> handled.size() == 20);
      assertThat(payloads(handled)).containsExactlyInAnyOrderElementsOf(
          IntStream.range(0, 20).boxed().map(Object.class::cast).toList());
    }
  }

  @Test
  @DisplayName("events reach the other bus in the order one publisher sent them")
  void eventsArriveInPublishOrder() {
    // Given
    RedisEventBus publisher = started(namespace);
    RedisEventBus receiver = started(namespace);
    Queue<Event<Object>> received = new ConcurrentLinkedQueue<>();
    // block mode: a slow moment on the receiving side holds the receive loop back instead of dropping
    receiver.subscribe("seq", SubscribeOptions.defaults().async(true).deliveryMode(DeliveryMode.block()),
        event -> Mono.fromRunnable(() -> received.add(event))).block(WAIT);
    int count = 2_000;

    // When: publishes in flight concurrently (pipelined on one connection)
    Flux.range(0, count)
        .flatMapSequential(i -> publisher.publish("seq", i), 64)
        .blockLast(WAIT);

    // Then
    await().atMost(WAIT).until(() -> received.size() == count);
    assertThat(payloads(received)).containsExactlyElementsOf(
        IntStream.range(0, count).boxed().map(Object.class::cast).toList());
  }

  @Test
  @DisplayName("what goes over the wire is CloudEvents JSON that the official SDK reads, on <namespace>:<origin>:<topic>")
  void theWireFormatIsReadByTheCloudEventsSdk() throws Exception {
    // Given
    RedisEventBus publisher = started(RedisEventBus.builder().namespace(namespace).source("orders-service"));
    RedisAdmin.RawMessages raw = admin.psubscribe(namespace + ":*");
    try {
      Event<OrderPlaced> sent = Event.builder("order.placed", new OrderPlaced("o-9", 4))
          .key("customer-7").version(2).header("tenant", "acme").build();

      // When
      publisher.publish(sent).block(WAIT);

      // Then
      await().atMost(WAIT).until(() -> raw.received.size() == 1);
      RedisAdmin.RawMessage message = raw.received.peek();
      assertThat(message.channel()).isEqualTo(publisher.channel("order.placed"))
          .startsWith(namespace + ":").endsWith(":order.placed");
      EventFormat format = EventFormatProvider.getInstance().resolveFormat(JsonFormat.CONTENT_TYPE);
      CloudEvent read = format.deserialize(message.body());
      assertThat(read.getId()).isEqualTo(sent.id());
      assertThat(read.getType()).isEqualTo("order.placed");
      assertThat(read.getSource()).isEqualTo(URI.create("orders-service"));
      assertThat(read.getTime()).isNotNull();
      assertThat(read.getDataContentType()).isEqualTo("application/json");
      assertThat(read.getExtension("partitionkey")).isEqualTo("customer-7");
      assertThat(read.getExtension("eventversion")).isEqualTo(2);
      assertThat(read.getExtension("correlationid")).isEqualTo(sent.id());
      assertThat(read.getExtension("tenant")).isEqualTo("acme");
      assertThat(new ObjectMapper().readTree(read.getData().toBytes()))
          .isEqualTo(new ObjectMapper().readTree("{\"orderId\":\"o-9\",\"quantity\":4}"));
    } finally {
      raw.close();
    }
  }

  @Test
  @DisplayName("CloudEvents JSON published on <namespace>:<topic> by another producer is received")
  void eventsFromOtherProducersAreReceived() {
    // Given
    RedisEventBus receiver = started(namespace);
    Queue<Event<Object>> received = record(receiver, "order.placed");
    Event<Object> foreign = Event.<Object>builder("order.placed", Map.of("orderId", "o-5"))
        .source("python-service").time(Instant.parse("2026-01-01T00:00:00Z")).build();

    // When
    admin.publish(namespace + ":order.placed", EventCodec.json().encodeToString(foreign));

    // Then
    await().atMost(WAIT).until(() -> received.size() == 1);
    assertThat(received.peek().id()).isEqualTo(foreign.id());
    assertThat(received.peek().source()).isEqualTo("python-service");
    assertThat(received.peek().payload()).isEqualTo(Map.of("orderId", "o-5"));
  }

  @Test
  @DisplayName("an undecodable message is reported as dropped and receiving goes on")
  void anUndecodableMessageIsReportedAndReceivingGoesOn() {
    // Given
    RedisEventBus publisher = started(namespace);
    RedisEventBus receiver = started(namespace);
    Queue<LifecycleEvent> lifecycle = lifecycleOf(receiver);
    Queue<Event<Object>> received = record(receiver, "#");

    // When
    admin.publish(namespace + ":order.placed", "{not json");
    publisher.publish("order.placed", "after").block(WAIT);

    // Then
    await().atMost(WAIT).until(() -> received.size() == 1);
    assertThat(payloads(received)).containsExactly("after");
    assertThat(lifecycle).anySatisfy(event -> {
      assertThat(event.type()).isEqualTo(LifecycleEvent.Type.EVENT_DROPPED);
      assertThat(event.reason()).startsWith("undecodable").contains(namespace + ":order.placed");
    });
    assertThat(receiver.receiveDroppedCount()).isEqualTo(1);
  }

  @Test
  @DisplayName("received events beyond the inbound buffer are dropped and reported, the rest arrive in order")
  void receivedEventsBeyondTheInboundBufferAreDropped() {
    // Given: a receiver whose only subscription blocks on a full buffer of 1 and requests nothing yet
    RedisEventBus publisher = started(namespace);
    RedisEventBus receiver = started(RedisEventBus.builder().namespace(namespace).inboundBufferSize(2));
    Queue<LifecycleEvent> lifecycle = lifecycleOf(receiver);
    List<Object> got = new CopyOnWriteArrayList<>();
    BaseSubscriber<Event<Object>> slow = new BaseSubscriber<>() {
      @Override
      protected void hookOnSubscribe(Subscription subscription) {
        // no demand yet
      }

      @Override
      protected void hookOnNext(Event<Object> event) {
        got.add(event.payload());
      }
    };
    receiver.subscribe("burst", Object.class,
        SubscribeOptions.defaults().async(true).bufferSize(1).deliveryMode(DeliveryMode.block())).subscribe(slow);
    disposables.add(slow);
    int count = 50;

    // When
    for (int i = 0; i < count; i++) {
      publisher.publish("burst", i).block(WAIT);
    }
    await().atMost(WAIT).until(() -> receiver.receivedCount() == count);
    slow.request(Long.MAX_VALUE);

    // Then: nothing is lost silently; what arrives is in publish order
    long dropped = receiver.receiveDroppedCount();
    assertThat(dropped).isPositive();
    await().atMost(WAIT).until(() -> got.size() + dropped == count);
    assertThat(got).isSortedAccordingTo((a, b) -> Integer.compare((Integer) a, (Integer) b));
    assertThat(lifecycle).filteredOn(event -> event.type() == LifecycleEvent.Type.EVENT_DROPPED)
        .hasSize((int) dropped)
        .allSatisfy(event -> assertThat(event.reason()).startsWith("inbound_overflow"));
  }

  @Test
  @DisplayName("a dead letter goes out through Redis, so a subscriber on another bus gets it")
  void deadLettersReachOtherBuses() {
    // Given
    RedisEventBus failing = started(namespace);
    RedisEventBus watcher = started(namespace);
    Queue<Event<Object>> letters = record(watcher, "failed.orders");
    failing.subscribe("order.placed", SubscribeOptions.defaults().retry(RetryPolicy.none()).deadLetter("failed.orders"),
        event -> Mono.error(new IllegalStateException("out of stock"))).block(WAIT);

    // When
    failing.publish("order.placed", "o-1").block(WAIT);

    // Then
    await().atMost(WAIT).until(() -> letters.size() == 1);
    Event<Object> letter = letters.peek();
    assertThat(letter.payload()).isEqualTo("o-1");
    assertThat(letter.headers()).containsEntry("dlqtopic", "order.placed")
        .hasEntrySatisfying("dlqerror", error -> assertThat(error).contains("out of stock"));
  }

  @Test
  @DisplayName("neither the publisher's continuation nor a receiving handler runs on a Lettuce I/O thread")
  void userCodeNeverRunsOnLettuceIoThreads() {
    // Given
    RedisEventBus publisher = started(namespace);
    RedisEventBus receiver = started(RedisEventBus.builder().namespace(namespace).name("receiver"));
    AtomicReference<String> handlerThread = new AtomicReference<>();
    receiver.subscribe("#", event -> Mono.fromRunnable(() -> handlerThread.set(Thread.currentThread().getName())))
        .block(WAIT);

    // When
    String continuationThread = publisher.publish("order.placed", 1)
        .map(result -> Thread.currentThread().getName())
        .block(WAIT);

    // Then
    assertThat(continuationThread).doesNotContain("EventLoop");
    await().atMost(WAIT).until(() -> handlerThread.get() != null);
    assertThat(handlerThread.get()).startsWith("fluxbus-receiver-inbound");
  }

  @Test
  @DisplayName("a receiving bus counts received events in its own stats: published, then delivered")
  void aReceivingBusCountsReceivedEvents() {
    // Given
    RedisEventBus publisher = started(namespace);
    RedisEventBus receiver = started(namespace);
    Queue<Event<Object>> received = record(receiver, "order.*");

    // When
    publisher.publish("order.placed", 1).block(WAIT);
    publisher.publish("unmatched.topic", 2).block(WAIT);

    // Then
    await().atMost(WAIT).until(() -> receiver.stats().published() == 2);
    assertThat(received).hasSize(1);
    assertThat(receiver.stats().delivered()).isEqualTo(1);
    assertThat(receiver.stats().dropped()).isZero();
    assertThat(publisher.stats().published()).isEqualTo(2);
    assertThat(publisher.stats().delivered()).isZero();
  }

  @Test
  @DisplayName("an event whose payload cannot be written as JSON signals CodecException and reaches nobody")
  void anUnencodablePayloadReachesNobody() {
    // Given
    RedisEventBus publisher = started(namespace);
    RedisEventBus receiver = started(namespace);
    Queue<Event<Object>> local = record(publisher, "#");
    Queue<Event<Object>> remote = record(receiver, "#");

    // When
    StepVerifier.create(publisher.publish("order.placed", new Object()))
        .expectError(CodecException.class)
        .verify(WAIT);
    publisher.publish("order.placed", "marker").block(WAIT);

    // Then
    await().atMost(WAIT).until(() -> remote.size() == 1);
    assertThat(payloads(remote)).containsExactly("marker");
    assertThat(payloads(local)).containsExactly("marker");
  }

  @Test
  @DisplayName("publish is lazy: nothing reaches another bus until the Mono is subscribed")
  void publishIsLazy() {
    // Given
    RedisEventBus publisher = started(namespace);
    RedisEventBus receiver = started(namespace);
    Queue<Event<Object>> received = record(receiver, "#");

    // When
    Mono<PublishResult> notSubscribed = publisher.publish("order.placed", "never");
    StepVerifier.create(publisher.publish("order.placed", "sent")).expectNextCount(1).verifyComplete();

    // Then
    await().atMost(WAIT).until(() -> !received.isEmpty());
    assertThat(notSubscribed).isNotNull();
    assertThat(payloads(received)).containsExactly("sent");
  }
}
