package io.fluxbus.internal.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxbus.Event;
import io.fluxbus.PublishResult;
import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@link Dispatch}'s outstanding counter under contention: the offer loop's own part ends on one thread while two
 * waiting endpoints answer on two others, for a whole array of publishes walked in step. Each publish must complete
 * exactly once, after its last part, with every answer counted.
 */
class DispatchStressTest {

  private static final Duration BOUND = Duration.ofSeconds(10);
  private static final int PUBLISHES = 10_000;
  private static final int ROUNDS = 20;
  private static final Endpoint[] NONE_LEFT = new Endpoint[0];

  private final Contenders contenders = new Contenders("dispatch-stress", 3);

  @AfterEach
  void close() {
    contenders.close();
  }

  /**
   * Meant to catch {@code partDone} as a plain read, decrement and write of {@code outstanding} instead of
   * {@code decrementAndGet} (publishes never complete, or complete twice and leave {@code inFlight} negative; did not fail in the one run
   * made against it) and
   * {@code waitEnded} counting its answer after {@code partDone} (a publish completes without the last answer);
   * not yet run against the latter.
   */
  @Test
  @DisplayName("the loop's end and two late answers race: each publish completes once, with all three parts counted")
  void eachPublishCompletesOnceAfterItsLastPart() throws Exception {
    Event<Object> event = Event.of("stress.dispatch", (Object) "payload");
    for (int round = 0; round < ROUNDS; round++) {
      LongAdder inFlight = new LongAdder();
      ResultRecorder[] results = new ResultRecorder[PUBLISHES];
      Dispatch[] dispatches = new Dispatch[PUBLISHES];
      for (int i = 0; i < PUBLISHES; i++) {
        results[i] = new ResultRecorder();
        // as the fast path hands over: one endpoint accepted already; the publish is counted in flight
        inFlight.increment();
        dispatches[i] = new Dispatch(results[i], event, NONE_LEFT, 0, 1, 0, null, inFlight);
        results[i].onSubscribe(dispatches[i]);
        // two endpoints of this publish wait for room
        dispatches[i].waitStarted();
        dispatches[i].waitStarted();
      }
      contenders.race(thread -> {
        for (Dispatch dispatch : dispatches) {
          switch (thread) {
            case 0 -> dispatch.run();
            case 1 -> dispatch.waitEnded(true);
            default -> dispatch.waitEnded(false);
          }
        }
      }, BOUND);
      int r = round;
      for (int i = 0; i < PUBLISHES; i++) {
        results[i].assertCompletedOnceWith(new PublishResult(event.id(), 2, 1), "round " + r + ", publish " + i);
      }
      assertThat(inFlight.sum()).as("round %d: publishes still counted in flight", round).isZero();
    }
  }
}
