package io.fluxbus.r2dbc;

import static io.fluxbus.r2dbc.TestBuses.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.fluxbus.Event;
import io.fluxbus.LifecycleEvent;
import io.fluxbus.PublishResult;
import io.fluxbus.SubscribeOptions;
import io.fluxbus.codec.EventCodec;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/** How this bus hands events to its own ordinary subscriptions, and what that may not disturb. */
@DisplayName("Local delivery")
class LocalDeliveryTest {

  private static final String SCHEMA = PostgresTestServer.freshSchema("local");
  private static final String Q = "\"" + SCHEMA + "\"";

  private PostgresEventBus bus;

  @AfterEach
  void stopBus() {
    TestBuses.stop(bus);
  }

  @AfterAll
  static void dropSchema() {
    PostgresTestServer.dropSchema(SCHEMA);
  }

  @Test
  @DisplayName("a publish whose subscriber cancels while its append is queued still reaches this bus's subscribers")
  void aCancelledPublishStillReachesThisBussSubscribers() {
    bus = TestBuses.started(TestBuses.bus(SCHEMA, Duration.ofHours(1)).build());
    List<Event<Object>> received = TestBuses.record(bus, "cancel.me");

    // as when a caller's timeout fires while the insert runs
    bus.publish("cancel.me", "x").subscribe().dispose();

    await().atMost(WAIT).until(() -> received.size() == 1);
    assertThat(stored("cancel.me")).as("the append committed").isEqualTo(1);
  }

  @Test
  @DisplayName("sync subscribers run on the bus's delivery thread, async ones on its workers, neither on an I/O thread")
  void syncSubscribersRunOnTheDeliveryThread() {
    bus = TestBuses.started(TestBuses.bus(SCHEMA, Duration.ofHours(1)).name("threads").build());
    List<String> threads = new CopyOnWriteArrayList<>();
    Disposable flux = bus.subscribe("thread.check").subscribe(event -> threads.add("sync flux " + currentThread()));
    bus.subscribe("thread.check", event -> Mono.fromRunnable(() -> threads.add("sync " + currentThread())))
        .block(WAIT);
    bus.subscribeAsync("thread.check", event -> Mono.fromRunnable(() -> threads.add("async " + currentThread())))
        .block(WAIT);

    PublishResult result = bus.publish("thread.check", 1).block(WAIT);
    flux.dispose();

    assertThat(result.delivered()).isEqualTo(3);
    await().atMost(WAIT).until(() -> threads.size() == 3);
    assertThat(threads).filteredOn(thread -> thread.startsWith("sync")).hasSize(2)
        .allSatisfy(thread -> assertThat(thread).contains(" fluxbus-threads-postgres-delivery"));
    assertThat(threads).noneSatisfy(thread -> assertThat(thread).contains("reactor-tcp"));
  }

  private static String currentThread() {
    return Thread.currentThread().getName();
  }

  @Test
  @DisplayName("a committed event this bus cannot read back is reported dropped, and the publish says it is stored")
  void aStoredEventThatCannotBeReadBackIsReported() {
    // the mapper writes strings of any length but reads only short ones
    JsonMapper readsShortStrings = JsonMapper.builder(JsonFactory.builder()
        .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(100).build()).build()).build();
    bus = TestBuses.started(TestBuses.bus(SCHEMA, Duration.ofHours(1))
        .codec(EventCodec.using(readsShortStrings)).build());
    List<Event<Object>> received = TestBuses.record(bus, "unreadable.item");
    List<LifecycleEvent> dropped = new CopyOnWriteArrayList<>();
    Disposable recording = bus.lifecycle().filter(event -> event.type() == LifecycleEvent.Type.EVENT_DROPPED)
        .subscribe(dropped::add);
    try {
      PublishResult result = bus.publish("unreadable.item", "x".repeat(200)).block(WAIT);

      assertThat(result.delivered()).isZero();
      assertThat(stored("unreadable.item")).isEqualTo(1);
      assertThat(dropped).singleElement().satisfies(event -> {
        assertThat(event.eventId()).isEqualTo(result.eventId());
        assertThat(event.reason()).contains("stored but cannot be read back");
      });
      assertThat(received).isEmpty();
    } finally {
      recording.dispose();
    }
  }

  @Test
  @DisplayName("a sync subscriber that blocks does not stop the bus's group heartbeats")
  void aBlockingSyncSubscriberDoesNotStopHeartbeats() throws InterruptedException {
    // renewed every 100 ms
    bus = TestBuses.started(TestBuses.bus(SCHEMA, Duration.ofHours(1)).groupLease(Duration.ofMillis(300)).build());
    bus.subscribe("beat.#", SubscribeOptions.defaults().group("beating"), event -> Mono.empty()).block(WAIT);
    await().atMost(WAIT).until(() -> !leaseUntil().isEmpty());
    CountDownLatch blocking = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    bus.subscribe("block.me", event -> Mono.fromRunnable(() -> {
      blocking.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    })).block(WAIT);
    Disposable publishing = bus.publish("block.me", "x").subscribe();
    try {
      assertThat(blocking.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();

      // one renewal may already be on its way; two in a row can only come from heartbeats while it blocks
      String blocked = leaseUntil().get(0);
      String renewed = await().atMost(WAIT).until(() -> leaseUntil().get(0), until -> until.compareTo(blocked) > 0);
      await().atMost(WAIT).until(() -> leaseUntil().get(0), until -> until.compareTo(renewed) > 0);
    } finally {
      release.countDown();
      publishing.dispose();
    }
  }

  private static int stored(String topic) {
    return Integer.parseInt(PostgresTestServer.query("SELECT count(*) FROM " + Q + ".event_log WHERE topic = $1",
        topic).get(0));
  }

  /** The lease of the group's partition, as sortable text, or nothing while unowned. */
  private static List<String> leaseUntil() {
    return PostgresTestServer.query("SELECT to_char(lease_until, 'YYYY-MM-DD HH24:MI:SS.US') FROM " + Q
        + ".group_partition WHERE group_name = 'beating' AND lease_until IS NOT NULL");
  }
}
