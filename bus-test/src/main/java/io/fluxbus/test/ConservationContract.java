package io.fluxbus.test;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxbus.BusNotStartedException;
import io.fluxbus.EventBus;
import io.fluxbus.LifecycleEvent;
import io.fluxbus.PublishResult;
import io.fluxbus.Subscription;
import io.fluxbus.TopicPattern;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/**
 * Conservation: once publishers are quiet and buffers drained, every event a publish matched is accounted for
 * exactly once per subscription, as delivered or dropped, including across concurrent unsubscribes and a stop.
 */
abstract class ConservationContract extends ContractPart {

  private static final String[] PATTERNS = {"load.a", "load.*", "load.#", "#", "load.a.*"};
  private static final String[] TOPICS = {"load.a", "load.b", "load.a.x"};
  private static final int PUBLISHERS = 3;
  private static final int PUBLISHES_EACH = 400;

  ConservationContract(BusFixture buses) {
    super(buses);
  }

  /** A handler subscription and what it received. */
  private record Tracked(Subscription subscription, EventLog log) {}

  /** What one publisher saw. */
  private static final class Tally {
    long results;
    long matched;
    long refused;
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3})
  @DisplayName("delivered + dropped equals what publishes matched, after concurrent publish, unsubscribe and stop")
  void everyMatchedEventIsDeliveredOrDroppedExactlyOnce(long seed) throws Exception {
    Random random = new Random(seed);
    EventBus bus = buses.started(ContractSettings.defaults().withBufferSize(4));
    LifecycleRecorder lifecycle = buses.lifecycleOf(bus);
    List<Tracked> handlers = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      EventLog log = new EventLog();
      boolean async = random.nextBoolean();
      Subscription subscription = subscribe(bus, PATTERNS[random.nextInt(PATTERNS.length)], options(async),
          event -> {
            log.add(event);
            // Some async handlers finish later, so that their buffers fill up and drop.
            return async && coinFlip(event.id()) ? Mono.delay(Duration.ofMillis(1)).then() : Mono.empty();
          });
      handlers.add(new Tracked(subscription, log));
    }
    EventLog fluxes = new EventLog();
    List<Disposable> fluxSubscriptions = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      String pattern = PATTERNS[random.nextInt(PATTERNS.length)];
      fluxSubscriptions.add((i == 0 ? bus.subscribe(pattern) : bus.subscribeAsync(pattern)).subscribe(fluxes::add));
    }
    List<Integer> unsubscribeAt = random.ints(5, 0, PUBLISHES_EACH).sorted().boxed().toList();
    int stopAt = PUBLISHES_EACH / 2 + random.nextInt(PUBLISHES_EACH / 3);
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService threads = buses.threads(PUBLISHERS);
    List<Future<Tally>> tallies = new ArrayList<>();
    for (int p = 0; p < PUBLISHERS; p++) {
      int publisher = p;
      Random own = new Random(seed * 31 + p);
      tallies.add(threads.submit(() -> {
        go.await();
        Tally tally = new Tally();
        int removed = 0;
        for (int i = 0; i < PUBLISHES_EACH; i++) {
          // Publisher 0 also unsubscribes, publisher 1 also stops the bus, while the others keep publishing.
          while (publisher == 0 && removed < unsubscribeAt.size() && unsubscribeAt.get(removed) == i) {
            if (removed % 2 == 0) {
              handlers.get(removed).subscription().cancel().block(WAIT);
            } else {
              fluxSubscriptions.get(removed % fluxSubscriptions.size()).dispose();
            }
            removed++;
          }
          if (publisher == 1 && i == stopAt) {
            bus.stop().block(WAIT);
          }
          try {
            PublishResult result = bus.publish(TOPICS[own.nextInt(TOPICS.length)], i).block(WAIT);
            tally.results++;
            tally.matched += result.matched();
          } catch (BusNotStartedException refused) {
            tally.refused++;
          }
        }
        return tally;
      }));
    }

    go.countDown();
    long results = 0;
    long matched = 0;
    for (Future<Tally> future : tallies) {
      Tally tally = future.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      results += tally.results;
      matched += tally.matched;
    }
    bus.stop().block(WAIT);

    long expectedMatched = matched;
    String seedText = "seed " + seed;
    assertThat(bus.stats().published()).as("%s: publishes that ran", seedText).isEqualTo(results);
    eventually().untilAsserted(() -> assertThat(bus.stats().delivered() + bus.stats().dropped())
        .as("%s: stats.delivered + stats.dropped against the sum of PublishResult.matched()", seedText)
        .isEqualTo(expectedMatched));
    long handed = handlers.stream().mapToLong(tracked -> tracked.log().size()).sum() + fluxes.size();
    assertThat(handed).as("%s: events our subscribers received against stats.delivered", seedText)
        .isEqualTo(bus.stats().delivered());
    eventually().untilAsserted(() -> assertThat((long) lifecycle.ofType(LifecycleEvent.Type.EVENT_DROPPED).size())
        .as("%s: EVENT_DROPPED reports against stats.dropped", seedText)
        .isEqualTo(bus.stats().dropped()));
    for (Tracked tracked : handlers) {
      assertEachEventAccountedOnce(tracked, lifecycle, seedText);
    }
  }

  /** Per subscription: no event delivered twice, dropped twice, or both; and only events its pattern matches. */
  private static void assertEachEventAccountedOnce(Tracked tracked, LifecycleRecorder lifecycle, String seed) {
    Subscription subscription = tracked.subscription();
    TopicPattern pattern = TopicPattern.of(subscription.pattern());
    List<String> delivered = tracked.log().ids();
    List<String> dropped = lifecycle.ofType(LifecycleEvent.Type.EVENT_DROPPED).stream()
        .filter(event -> subscription.id().equals(event.subscriptionId()))
        .map(LifecycleEvent::eventId)
        .toList();
    String description = seed + ": subscription " + subscription.id() + " on '" + subscription.pattern() + "'";
    assertThat(delivered).as("%s: delivered ids", description).doesNotHaveDuplicates();
    assertThat(dropped).as("%s: dropped ids", description).doesNotHaveDuplicates();
    Set<String> both = new HashSet<>(delivered);
    both.retainAll(dropped);
    assertThat(both).as("%s: ids both delivered and dropped", description).isEmpty();
    assertThat(tracked.log().events()).as("%s: topics delivered", description)
        .allMatch(event -> pattern.matches(event.topic()));
  }

  /** A stable coin flip per event. */
  private static boolean coinFlip(String eventId) {
    return (eventId.hashCode() & 1) == 0;
  }
}
