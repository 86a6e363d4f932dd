package io.fluxbus.internal.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@link MpscRing} under real contention: producers released together, one consumer, many short rounds on a small
 * ring whose capacity is not a power of two, so positions wrap often and slots are reused while producers race.
 */
class MpscRingStressTest {

  private static final Duration BOUND = Duration.ofSeconds(10);
  private static final int PRODUCERS = 3;

  private final Contenders contenders = new Contenders("ring-stress", PRODUCERS + 1);

  @AfterEach
  void close() {
    contenders.close();
  }

  /**
   * Catches (checked by breaking a copy of the ring): a plain {@code tail.set} instead of the CAS on the tail
   * (3 of 3 runs failed: producers stuck on a slot two of them took); {@code poll} without its sequence check
   * (3 of 3); {@code offer} publishing the sequence before the element (2 of 2).
   */
  @Test
  @DisplayName("concurrent producers: the consumer polls every element exactly once, in each producer's order")
  void everyElementIsPolledOnceInProducerOrder() throws Exception {
    int perProducer = 2_000;
    for (int round = 0; round < 150; round++) {
      MpscRing<Long> ring = new MpscRing<>(7);
      long[] next = new long[PRODUCERS];
      int r = round;
      contenders.race(thread -> {
        if (thread < PRODUCERS) {
          for (long i = 0; i < perProducer; i++) {
            while (!ring.offer(((long) thread << 32) | i)) {
              Thread.yield();
            }
          }
          return;
        }
        long deadline = System.nanoTime() + BOUND.toNanos() / 2;
        for (int polled = 0; polled < PRODUCERS * perProducer; ) {
          Long element = ring.poll();
          if (element == null) {
            if (System.nanoTime() > deadline) {
              fail("round %d: %d of %d elements polled, the rest stranded; next expected per producer %s", r,
                  polled, PRODUCERS * perProducer, java.util.Arrays.toString(next));
            }
            Thread.yield();
            continue;
          }
          int producer = (int) (element >>> 32);
          long sequence = element & 0xffffffffL;
          assertThat(sequence).as("round %d, producer %d", r, producer).isEqualTo(next[producer]);
          next[producer]++;
          polled++;
        }
      }, BOUND);
      assertThat(ring.poll()).as("round %d: left over", round).isNull();
      assertThat(ring.size()).isZero();
    }
  }

  /**
   * Catches a plain {@code tail.set} instead of the CAS (more offers succeed than the ring holds: 3 of 3 runs
   * failed, at rounds 1 to 147). Meant also to catch {@code offer} without its sequence check (an offer overwrites
   * an unread slot); not yet run against that variant.
   */
  @Test
  @DisplayName("racing offers into a ring nobody polls: exactly capacity succeed and exactly those are polled")
  void aFullRingTakesExactlyItsCapacity() throws Exception {
    int capacity = 5;
    for (int round = 0; round < 3_000; round++) {
      MpscRing<Integer> ring = new MpscRing<>(capacity);
      ConcurrentLinkedQueue<Integer> accepted = new ConcurrentLinkedQueue<>();
      contenders.race(thread -> {
        for (int i = 0; i < 4; i++) {
          int element = thread * 100 + i;
          if (ring.offer(element)) {
            accepted.add(element);
          }
        }
      }, BOUND);
      assertThat(accepted).as("round %d: offers that succeeded", round).hasSize(capacity);
      assertThat(ring.size()).isEqualTo(capacity);
      List<Integer> polled = new ArrayList<>();
      Integer element;
      while ((element = ring.poll()) != null) {
        polled.add(element);
      }
      Set<Integer> expected = new HashSet<>(accepted);
      assertThat(polled).as("round %d", round).hasSize(capacity).containsExactlyInAnyOrderElementsOf(expected);
    }
  }
}
