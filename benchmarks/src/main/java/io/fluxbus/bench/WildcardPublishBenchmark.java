package io.fluxbus.bench;

import io.fluxbus.Event;
import io.fluxbus.memory.MemoryEventBus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a publish costs when the bus holds many wildcard subscriptions that do not match: nanoseconds per
 * publish of {@code orders.eu.created}, which exactly three sync subscriptions match
 * ({@code orders.*.created}, {@code orders.#}, {@code #.created}).
 *
 * <p>{@code subscriptions=3} holds only those three; {@code subscriptions=10000} adds 9 997 that do not
 * match, spread over shapes that share prefixes, wildcards or suffixes with the topic ({@code orders.rN.*},
 * {@code *.rN.created}, {@code rN.#}, {@code orders.eu.rN}, {@code #.rN}, {@code orders.*.rN}), so a
 * segment trie has to look and reject rather than skip whole subtrees. The contract promises
 * O(segments), not O(subscriptions): the target is a ratio of at most 2. No peer has topic wildcards, so
 * there is no peer here.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class WildcardPublishBenchmark {

  static final int BATCH = 1_000;
  static final String TOPIC = "orders.eu.created";
  static final List<String> MATCHING = List.of("orders.*.created", "orders.#", "#.created");
  private static final Event<String> EVENT = Event.builder(TOPIC, "payload").source(Events.SOURCE).build();
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  /** Subscriptions on the bus, of which always exactly three match. */
  @Param({"3", "10000"})
  public int subscriptions;

  private final DeliveryCounter matched = new DeliveryCounter();
  private final DeliveryCounter stray = new DeliveryCounter();
  private final List<ReceivingSubscriber<Event<Object>>> subscribers = new ArrayList<>();
  private final PublishAwaiter awaiter = new PublishAwaiter();
  private MemoryEventBus bus;
  private long published;

  /** Starts the bus and subscribes the matching and the non-matching patterns. */
  @Setup(Level.Trial)
  public void start() {
    bus = MemoryEventBus.create();
    bus.start().block(TIMEOUT);
    for (String pattern : MATCHING) {
      subscribe(pattern, matched);
    }
    for (int i = 0; i < subscriptions - MATCHING.size(); i++) {
      subscribe(nonMatching(i), stray);
    }
    Readiness.awaitSubscribers(bus, TOPIC, MATCHING.size(), TIMEOUT);
  }

  private void subscribe(String pattern, Receiver receiver) {
    ReceivingSubscriber<Event<Object>> subscriber = new ReceivingSubscriber<>(receiver);
    bus.subscribe(pattern).subscribe(subscriber);
    subscribers.add(subscriber);
  }

  /** The i-th non-matching pattern; six shapes, each with its own distinguishing segment. */
  static String nonMatching(int i) {
    String segment = "r" + (i / 6);
    return switch (i % 6) {
      case 0 -> "orders." + segment + ".*";
      case 1 -> "*." + segment + ".created";
      case 2 -> segment + ".#";
      case 3 -> "orders.eu." + segment;
      case 4 -> "#." + segment;
      default -> "orders.*." + segment;
    };
  }

  /** Checks that only the three matching subscriptions got events, then stops the bus. */
  @TearDown(Level.Trial)
  public void stop() {
    try {
      subscribers.forEach(ReceivingSubscriber::requireNoError);
      Checks.requireDelivered("fluxbus (matching)", matched.count(), published * MATCHING.size(), awaiter.dropped());
      Checks.requireDelivered("fluxbus (non-matching)", stray.count(), 0, 0);
    } finally {
      subscribers.forEach(ReceivingSubscriber::cancel);
      bus.stop().block(TIMEOUT);
    }
  }

  /** Publishes a batch of events that three subscriptions match. */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void fluxbus() {
    for (int i = 0; i < BATCH; i++) {
      awaiter.publish(bus.publish(EVENT));
    }
    published += BATCH;
  }
}
