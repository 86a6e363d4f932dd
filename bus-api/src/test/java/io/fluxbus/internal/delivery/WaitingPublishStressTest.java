package io.fluxbus.internal.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxbus.BusStats;
import io.fluxbus.DeliveryMode;
import io.fluxbus.Event;
import io.fluxbus.PublishResult;
import io.fluxbus.SubscribeOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;

/**
 * Publishes that wait for room, end to end: two publishers flood three async subscriptions whose buffers hold two
 * events, so most publishes take the slow path and park waiters that the drain loops admit on the workers while the
 * publishing thread ends its own part (and, in timeout mode, while timers expire them on another scheduler). Every
 * publish must complete exactly once and count each subscription exactly once, and the bus's counters must agree
 * with the results and with what the subscribers received.
 */
class WaitingPublishStressTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final int PUBLISHERS = 2;
  private static final int SUBSCRIPTIONS = 3;
  private static final int PER_PUBLISHER = 250;
  private static final int ROUNDS = 20;

  private final LocalEventBus bus = new LocalEventBus(LocalSettings.builder("stress").workers(2).build());
  private final Contenders publishers = new Contenders("waiting-stress", PUBLISHERS);
  private final List<Disposable> subscribers = new ArrayList<>();
  private final Semaphore received = new Semaphore(0);
  private final AtomicReference<String> disorder = new AtomicReference<>();

  @AfterEach
  void stop() {
    subscribers.forEach(Disposable::dispose);
    publishers.close();
    bus.stop().block(WAIT);
  }

  /**
   * Meant to catch {@code Dispatch.partDone} as a plain read, decrement and write of {@code outstanding} and
   * {@code Endpoint.enqueue} calling {@code waitStarted} after the waiter is queued and signalled (a waiter admitted
   * at once completes its publish early); neither failed it in the one run made (plain decrement) or none.
   */
  @Test
  @DisplayName("block mode: every publish completes once, delivered to every subscription, counters conserved")
  void blockedPublishesCompleteOnceWithEverySubscriptionCounted() throws Exception {
    runRounds(DeliveryMode.block(), true, false);
  }

  /**
   * Admission by the drain loop races expiry on the timer's thread for every waiter. Catches
   * {@code Waiter.claim} as a plain read-then-write (an event both delivered and dropped: counters off by one in the
   * one run made) and the {@code partDone} plain decrement (a publish never completed, in the one run made).
   */
  @Test
  @DisplayName("timeout mode: admission racing expiry counts each event once, as delivered or dropped")
  void admissionRacingExpiryCountsEachEventOnce() throws Exception {
    runRounds(DeliveryMode.timeout(Duration.ofNanos(50_000)), false, false);
  }

  /**
   * A subscription sees one publisher's events in publish order, also when its waiters are admitted while that
   * publisher goes on publishing. Catches {@code Endpoint.admitWaiters} taking a waiter off the queue before its
   * event is in the ring (the core before this test: failed 8 of 8 runs, within the first rounds), so that the
   * publisher's next event, finding no waiter, goes into the ring first; passes (8 of 8) with the waiter leaving the
   * queue only after {@code acceptReserved}.
   */
  @Test
  @DisplayName("timeout mode: each subscription gets one publisher's events in publish order")
  void waitingEventsKeepEachPublishersOrder() throws Exception {
    runRounds(DeliveryMode.timeout(Duration.ofNanos(50_000)), false, true);
  }

  private void runRounds(DeliveryMode mode, boolean nothingDropped, boolean inOrder) throws Exception {
    bus.start().block(WAIT);
    SubscribeOptions options = SubscribeOptions.defaults().async(true).bufferSize(2).deliveryMode(mode);
    for (int s = 0; s < SUBSCRIPTIONS; s++) {
      long[] last = new long[PUBLISHERS];
      java.util.Arrays.fill(last, -1);
      int subscription = s;
      subscribers.add(bus.subscribe("stress.waiting", Long.class, options).subscribe(event -> {
        int publisher = (int) (event.payload() >>> 32);
        long sequence = event.payload() & 0xffffffffL;
        if (sequence <= last[publisher]) {
          disorder.compareAndSet(null, "subscription " + subscription + ", publisher " + publisher + ": "
              + sequence + " after " + last[publisher]);
        }
        last[publisher] = sequence;
        received.release();
      }));
    }
    long[] sent = new long[PUBLISHERS];
    long delivered = 0;
    long dropped = 0;
    for (int round = 0; round < ROUNDS; round++) {
      CountDownLatch done = new CountDownLatch(PUBLISHERS * PER_PUBLISHER);
      ResultRecorder[][] results = new ResultRecorder[PUBLISHERS][PER_PUBLISHER];
      publishers.race(publisher -> {
        for (int i = 0; i < PER_PUBLISHER; i++) {
          results[publisher][i] = new ResultRecorder(done);
          long value = ((long) publisher << 32) | sent[publisher]++;
          bus.publish(Event.of("stress.waiting", value)).subscribe(results[publisher][i]);
        }
      }, WAIT);
      assertThat(done.await(WAIT.toMillis(), TimeUnit.MILLISECONDS))
          .as("round %d: every publish completed; %d never did", round, done.getCount()).isTrue();
      long roundDelivered = 0;
      for (ResultRecorder[] ofPublisher : results) {
        for (ResultRecorder result : ofPublisher) {
          result.assertCompletedOnce("round " + round);
          PublishResult value = result.result();
          assertThat(value.delivered() + value.dropped()).as("round %d: %s", round, value).isEqualTo(SUBSCRIPTIONS);
          if (nothingDropped) {
            assertThat(value.dropped()).as("round %d: %s", round, value).isZero();
          }
          roundDelivered += value.delivered();
          dropped += value.dropped();
        }
      }
      delivered += roundDelivered;
      assertThat(received.tryAcquire((int) roundDelivered, WAIT.toMillis(), TimeUnit.MILLISECONDS))
          .as("round %d: subscribers received all %d events delivered; %d arrived", round, roundDelivered,
              received.availablePermits())
          .isTrue();
      if (inOrder) {
        assertThat(disorder.get()).as("round %d: a publisher's events out of order", round).isNull();
      }
      long[] expected = {delivered, dropped};
      // a worker counts a batch as delivered just after handing it to the subscriber
      Eventually.holds(() -> java.util.Arrays.equals(counters(), expected), WAIT);
      assertThat(counters())
          .as("round %d: the bus's delivered and dropped counters against the publish results", round)
          .containsExactly(expected);
    }
    assertThat(received.availablePermits()).as("events received beyond those delivered").isZero();
  }

  private long[] counters() {
    BusStats stats = bus.stats();
    return new long[] {stats.delivered(), stats.dropped()};
  }
}
