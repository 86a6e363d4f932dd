package io.fluxbus.examples.gateway;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The topics published through this gateway, with how often, for the dashboard. Bounded: past {@link #LIMIT}
 * topics the half published least recently is forgotten, so clients inventing topics cannot grow it without end.
 * Thread-safe.
 */
final class TopicActivity {

  static final int LIMIT = 200;

  /** One topic's count and when it was last published, as a sequence number (no clock read per publish). */
  private record Activity(LongAdder count, AtomicLong last) {}

  /** A topic's publish count. */
  record TopicCount(String topic, long published) {}

  private final Map<String, Activity> byTopic = new ConcurrentHashMap<>();
  private final AtomicLong sequence = new AtomicLong();

  void published(String topic) {
    Activity activity = byTopic.computeIfAbsent(topic, t -> new Activity(new LongAdder(), new AtomicLong()));
    activity.count.increment();
    activity.last.set(sequence.incrementAndGet());
    if (byTopic.size() > LIMIT) {
      forgetOldest();
    }
  }

  /** Topics and their publish counts, most published first. */
  List<TopicCount> topics() {
    List<TopicCount> topics = new ArrayList<>(byTopic.size());
    byTopic.forEach((topic, activity) -> topics.add(new TopicCount(topic, activity.count.sum())));
    topics.sort(Comparator.comparingLong(TopicCount::published).reversed().thenComparing(TopicCount::topic));
    return topics;
  }

  private synchronized void forgetOldest() {
    if (byTopic.size() <= LIMIT) {
      return;
    }
    List<Map.Entry<String, Activity>> oldestFirst = new ArrayList<>(byTopic.entrySet());
    oldestFirst.sort(Comparator.comparingLong(e -> e.getValue().last.get()));
    for (Map.Entry<String, Activity> old : oldestFirst.subList(0, oldestFirst.size() - LIMIT / 2)) {
      byTopic.remove(old.getKey());
    }
  }
}
