package io.fluxbus.r2dbc;

import static io.fluxbus.r2dbc.TestBuses.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fluxbus.Event;
import io.fluxbus.EventHandler;
import io.fluxbus.RetryPolicy;
import io.fluxbus.StartPosition;
import io.fluxbus.SubscribeOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Durable consumer groups: one lease per group, ack after the handler, redelivery after a crash, dead letters. */
@DisplayName("Durable consumer groups span processes")
class DurableGroupTest {

  private static final String SCHEMA = PostgresTestServer.freshSchema("groups");
  private static final Duration LEASE = Duration.ofSeconds(1);

  private final List<PostgresEventBus> buses = new ArrayList<>();

  private PostgresEventBus process(String name) {
    PostgresEventBus bus = TestBuses.started(TestBuses.bus(SCHEMA, Duration.ofMillis(100)).name(name)
        .groupLease(LEASE).build());
    buses.add(bus);
    return bus;
  }

  @BeforeEach
  void noBuses() {
    buses.clear();
  }

  @AfterEach
  void stopBuses() {
    TestBuses.stop(buses.toArray(PostgresEventBus[]::new));
  }

  @AfterAll
  static void dropSchema() {
    PostgresTestServer.dropSchema(SCHEMA);
  }

  private static SubscribeOptions group(String name) {
    return SubscribeOptions.defaults().group(name);
  }

  private static EventHandler recordingInto(List<Event<Object>> handled) {
    return event -> Mono.fromRunnable(() -> handled.add(event));
  }

  @Test
  @DisplayName("a group spread over two processes handles each event once, in publish order per key")
  void groupOverTwoProcessesHandlesEachEventOnce() {
    PostgresEventBus a = process("a");
    PostgresEventBus b = process("b");
    PostgresEventBus publisher = process("publisher");
    List<Event<Object>> handledByA = new CopyOnWriteArrayList<>();
    List<Event<Object>> handledByB = new CopyOnWriteArrayList<>();
    a.joinDurableGroup("billing.#", group("billing"), recordingInto(handledByA)).block(WAIT);
    b.joinDurableGroup("billing.#", group("billing"), recordingInto(handledByB)).block(WAIT);

    Set<String> published = Flux.range(0, 200)
        .concatMap(i -> publisher.publish(Event.builder("billing.charged", (Object) i).key("k" + i % 5).build()))
        .map(result -> result.eventId())
        .collect(Collectors.toSet())
        .block(WAIT);

    await().atMost(WAIT).until(() -> handledByA.size() + handledByB.size() >= 200);
    List<Event<Object>> all = new ArrayList<>(handledByA);
    all.addAll(handledByB);
    assertThat(all).extracting(Event::id).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(published);
    for (List<Event<Object>> member : List.of(handledByA, handledByB)) {
      for (int key = 0; key < 5; key++) {
        String k = "k" + key;
        List<Integer> order = member.stream().filter(e -> k.equals(e.key())).map(e -> (Integer) e.payload()).toList();
        assertThat(order).as("order of key %s", k).isSorted();
      }
    }
  }

  @Test
  @DisplayName("a member that dies mid-handler: its event is redelivered to another member after the lease expires")
  void eventOfADeadMemberIsRedelivered() {
    PostgresEventBus a = process("a");
    PostgresEventBus b = process("b");
    List<Event<Object>> handledByA = new CopyOnWriteArrayList<>();
    List<Event<Object>> handledByB = new CopyOnWriteArrayList<>();
    DurableGroup dying = a.joinDurableGroup("shipping.#", group("shipping"), event -> {
      handledByA.add(event);
      return Mono.never(); // the process dies before the handler finishes
    }).block(WAIT);
    await().atMost(WAIT).until(() -> dying.owner().equals(ownerOf("shipping")));
    b.joinDurableGroup("shipping.#", group("shipping"), recordingInto(handledByB)).block(WAIT);

    a.publish("shipping.requested", "x").block(WAIT);
    await().atMost(WAIT).until(() -> handledByA.size() == 1);
    dying.crash();

    await().atMost(WAIT).until(() -> handledByB.size() == 1);
    b.publish("shipping.requested", "y").block(WAIT);
    await().atMost(WAIT).until(() -> handledByB.size() == 2);
    assertThat(handledByB).extracting(Event::payload).containsExactly("x", "y");
    assertThat(handledByA).extracting(Event::payload).containsExactly("x");
  }

  @Test
  @DisplayName("a poison event goes to <topic>.dlq with the error after maxAttempts, while the others flow")
  void poisonEventIsDeadLetteredWhileOthersFlow() {
    PostgresEventBus consumer = process("consumer");
    PostgresEventBus observer = process("observer");
    List<Event<Object>> deadLetters = TestBuses.record(observer, "payment.taken.dlq");
    List<Object> attempts = new CopyOnWriteArrayList<>();
    consumer.joinDurableGroup("payment.taken", group("payments")
        .retry(RetryPolicy.exponential(3, Duration.ofMillis(5), Duration.ofMillis(20))), event -> {
          attempts.add(event.payload());
          return "poison".equals(event.payload())
              ? Mono.error(new IllegalStateException("card declined"))
              : Mono.empty();
        }).block(WAIT);

    for (String payload : List.of("ok-1", "poison", "ok-2")) {
      consumer.publish("payment.taken", payload).block(WAIT);
    }

    await().atMost(WAIT).until(() -> deadLetters.size() == 1 && attempts.contains("ok-2"));
    assertThat(attempts).containsExactly("ok-1", "poison", "poison", "poison", "ok-2");
    Event<Object> letter = deadLetters.get(0);
    assertThat(letter.payload()).isEqualTo("poison");
    assertThat(letter.headers()).containsEntry("dlqtopic", "payment.taken").containsEntry("dlqgroup", "payments");
    assertThat(letter.headers().get("dlqerror")).contains("card declined");
  }

  @Test
  @DisplayName("startFrom(earliest) on a new group replays events appended before it existed; latest does not")
  void startFromEarliestReplays() {
    PostgresEventBus bus = process("replayer");
    IntStream.range(0, 3).forEach(i -> bus.publish("audit.logged", i).block(WAIT));
    List<Event<Object>> replayed = new CopyOnWriteArrayList<>();
    List<Event<Object>> fromNow = new CopyOnWriteArrayList<>();

    bus.joinDurableGroup("audit.#", group("auditors").startFrom(StartPosition.earliest()), recordingInto(replayed))
        .block(WAIT);
    bus.joinDurableGroup("audit.#", group("latecomers"), recordingInto(fromNow)).block(WAIT);
    bus.publish("audit.logged", 3).block(WAIT);

    await().atMost(WAIT).until(() -> replayed.size() == 4 && fromNow.size() == 1);
    assertThat(replayed).extracting(Event::payload).containsExactly(0, 1, 2, 3);
    assertThat(fromNow).extracting(Event::payload).containsExactly(3);
  }

  private static String ownerOf(String group) {
    List<String> owners = PostgresTestServer.query("SELECT owner FROM \"" + SCHEMA
        + "\".group_cursor WHERE group_name = $1", group);
    return owners.isEmpty() ? "" : owners.get(0);
  }
}
