package io.fluxbus.internal.delivery;

import io.fluxbus.SubscribeOptions;
import io.fluxbus.internal.TopicTrie;
import io.fluxbus.spi.DurableLog;
import java.util.ArrayList;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A bus's subscriptions served from its {@link DurableLog}: one {@link LocalLogConsumer} per consumer group (group
 * name and pattern) and per replaying subscription, a trie of them for {@code subscriberCount}, and the
 * attachments still in progress, which publishes on the bus wait for. Membership changes run under the bus's
 * registry lock; the rest is thread-safe.
 */
final class LogConsumers {

  private static final LocalLogConsumer[] NONE = new LocalLogConsumer[0];

  private final DurableLog log;
  private final LocalEventBus bus;
  private final AtomicLong sequence = new AtomicLong();
  private final Map<String, LocalLogConsumer> byId = new ConcurrentHashMap<>();
  private final TopicTrie<LocalLogConsumer> trie = new TopicTrie<>(c -> c.seq, NONE);
  private final Set<LocalLogConsumer> attaching = ConcurrentHashMap.newKeySet();

  LogConsumers(DurableLog log, LocalEventBus bus) {
    this.log = log;
    this.bus = bus;
  }

  /** True when the subscription is served from the log: it names a group or does not start at the latest event. */
  static boolean servedFromLog(SubscribeOptions options) {
    return options.group().isPresent() || !(options.startFrom() instanceof io.fluxbus.StartPosition.Latest);
  }

  /**
   * Joins {@code member} to its consumer, creating the consumer when it is the first member (under the registry
   * lock).
   *
   * @return the new consumer, which the caller must {@link #attach} outside the lock; null when it joined one
   */
  LocalLogConsumer join(LogEndpoint member) {
    String id = member.options.group().map(group -> "group:" + group + ":" + member.pattern.value())
        .orElse(member.id);
    LocalLogConsumer consumer = byId.get(id);
    boolean created = consumer == null;
    if (created) {
      consumer = new LocalLogConsumer(sequence.incrementAndGet(), id, member.pattern, member.options, bus);
      byId.put(id, consumer);
      trie.add(member.pattern, consumer);
      attaching.add(consumer);
    }
    consumer.join(member);
    return created ? consumer : null;
  }

  /** Asks the engine to read for a new consumer; outside the registry lock. */
  void attach(LocalLogConsumer consumer) {
    consumer.attached().subscribe(null, error -> attaching.remove(consumer), () -> attaching.remove(consumer));
    consumer.attach(log);
  }

  /** Removes {@code member} from its consumer (under the registry lock); a consumer left empty is closed. */
  void leave(LogEndpoint member) {
    LocalLogConsumer consumer = member.consumer;
    if (consumer != null && consumer.leave(member)) {
      byId.remove(consumer.id(), consumer);
      trie.remove(member.pattern, consumer);
      attaching.remove(consumer);
    }
  }

  /** How many consumers a topic's events would reach: each group and each replaying subscription counts once. */
  int count(String topic) {
    return trie.match(topic).length;
  }

  /** Completes when every attachment begun so far has completed or failed. */
  Mono<Void> attachments() {
    if (attaching.isEmpty()) {
      return Mono.empty();
    }
    return Flux.fromIterable(new ArrayList<>(attaching))
        .flatMap(consumer -> consumer.attached().onErrorResume(error -> Mono.empty()))
        .then();
  }

  /** Closes every consumer (the bus stops): the engine stops reading and events not yet taken go back. */
  void closeAll() {
    byId.values().forEach(LocalLogConsumer::close);
  }
}
