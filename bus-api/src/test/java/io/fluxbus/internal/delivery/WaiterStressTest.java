package io.fluxbus.internal.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxbus.Event;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;

/**
 * {@link Waiter} claims under contention: two threads walk the same array of waiters in step, so most waiters are
 * claimed by both at nearly the same moment, as the drain loop's admission races a publisher's timer or a
 * termination. Exactly one claim may win per waiter, and only the winner disposes the timer.
 */
class WaiterStressTest {

  private static final Duration BOUND = Duration.ofSeconds(10);
  private static final int WAITERS = 20_000;
  private static final int ROUNDS = 25;
  private static final Event<Object> EVENT = Event.of("stress.waiter", (Object) "payload");

  private final Contenders contenders = new Contenders("waiter-stress", 2);

  @AfterEach
  void close() {
    contenders.close();
  }

  /**
   * Admission ({@code claim(WAITING)}) against expiry ({@code claim(WAITING)}). Meant to catch a claim made of a
   * plain read then write of the state instead of the CAS (two winners, the timer disposed twice): failed in the one
   * run made against it, 7134 double wins in round 18.
   */
  @Test
  @DisplayName("admission against expiry: exactly one claim wins each waiting event, and disposes its timer once")
  void admissionAgainstExpiryHasOneWinner() throws Exception {
    raceClaims(Waiter.WAITING, thread -> waiter -> waiter.claim(Waiter.WAITING));
  }

  /**
   * Admission of a reserved waiter ({@code claim(RESERVED)}) against termination ({@code claimAny()}). Meant to
   * catch the same plain read-then-write claim; did not fail in the one run made against it.
   */
  @Test
  @DisplayName("admission against termination: exactly one of claim and claimAny wins each reserved event")
  void admissionAgainstTerminationHasOneWinner() throws Exception {
    raceClaims(Waiter.RESERVED, thread -> thread == 0
        ? waiter -> waiter.claim(Waiter.RESERVED)
        : waiter -> waiter.claimAny() != Waiter.DONE);
  }

  private interface Claim {
    boolean claim(Waiter waiter);
  }

  private interface Claims {
    Claim of(int thread);
  }

  private void raceClaims(int initial, Claims claims) throws Exception {
    for (int round = 0; round < ROUNDS; round++) {
      Waiter[] waiters = new Waiter[WAITERS];
      AtomicIntegerArray disposed = new AtomicIntegerArray(WAITERS);
      for (int i = 0; i < WAITERS; i++) {
        waiters[i] = new Waiter(EVENT, null, initial);
        int index = i;
        waiters[i].timer = new Disposable() {
          @Override
          public void dispose() {
            disposed.incrementAndGet(index);
          }
        };
      }
      AtomicIntegerArray wins = new AtomicIntegerArray(WAITERS);
      contenders.race(thread -> {
        Claim claim = claims.of(thread);
        for (int i = 0; i < WAITERS; i++) {
          if (claim.claim(waiters[i])) {
            wins.incrementAndGet(i);
          }
        }
      }, BOUND);
      int doubles = 0;
      int none = 0;
      int timersNotOnce = 0;
      for (int i = 0; i < WAITERS; i++) {
        doubles += wins.get(i) > 1 ? 1 : 0;
        none += wins.get(i) == 0 ? 1 : 0;
        timersNotOnce += disposed.get(i) != 1 ? 1 : 0;
        assertThat(waiters[i].state).isEqualTo(Waiter.DONE);
      }
      assertThat(new int[] {doubles, none, timersNotOnce})
          .as("round %d: waiters won twice, never won, timer not disposed exactly once", round)
          .containsExactly(0, 0, 0);
    }
  }
}
