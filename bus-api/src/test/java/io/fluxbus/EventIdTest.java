package io.fluxbus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Event ids: time-ordered UUIDv7")
class EventIdTest {

  @Test
  void idIsAUuidOfVersion7WithTheRfcVariant() {
    // When
    UUID id = UUID.fromString(Event.of("a", "x").id());

    // Then
    assertThat(id.version()).isEqualTo(7);
    assertThat(id.variant()).isEqualTo(2); // binary 10x: RFC 9562
  }

  @Test
  void idIsWrittenInTheCanonicalLowercaseForm() {
    assertThat(Event.of("a", "x").id()).matches("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  }

  @Test
  void idStartsWithTheCurrentUnixMillisecond() {
    // Given
    long before = System.currentTimeMillis();

    // When
    UUID id = UUID.fromString(Event.of("a", "x").id());

    // Then the 48-bit timestamp is now; it may run slightly ahead when more than 4096 ids were made in one
    // millisecond just before (the counter then borrows from the next millisecond), never behind
    long millis = id.getMostSignificantBits() >>> 16;
    assertThat(millis).isBetween(before, System.currentTimeMillis() + 5_000);
  }

  @Test
  void idsFromOneThreadAreStrictlyIncreasingInStringOrder() {
    // Given
    String previous = Event.of("a", "x").id();

    // When / Then
    for (int i = 0; i < 100_000; i++) {
      String next = Event.of("a", "x").id();
      if (next.compareTo(previous) <= 0) {
        fail("id " + i + " '" + next + "' does not sort after '" + previous + "'");
      }
      previous = next;
    }
  }

  @Test
  void idsFromManyThreadsAreUnique() throws Exception {
    // Given threads released together
    int threads = 4;
    int perThread = 25_000;
    ExecutorService executor = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<List<String>>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        futures.add(executor.submit(() -> {
          start.await();
          List<String> ids = new ArrayList<>(perThread);
          for (int i = 0; i < perThread; i++) {
            ids.add(Event.of("a", "x").id());
          }
          return ids;
        }));
      }

      // When
      start.countDown();
      Set<String> all = new HashSet<>();
      for (Future<List<String>> future : futures) {
        all.addAll(future.get(20, TimeUnit.SECONDS));
      }

      // Then
      assertThat(all).hasSize(threads * perThread);
    } finally {
      executor.shutdownNow();
    }
  }

  @Test
  void idsDifferInTheirRandomBits() {
    // Given two ids made back to back
    UUID a = UUID.fromString(Event.of("a", "x").id());
    UUID b = UUID.fromString(Event.of("a", "x").id());

    // When / Then: the low 62 bits are random, so equal ones would mean no randomness
    assertThat(a.getLeastSignificantBits()).isNotEqualTo(b.getLeastSignificantBits());
  }
}
