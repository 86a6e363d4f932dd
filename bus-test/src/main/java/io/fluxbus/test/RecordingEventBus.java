package io.fluxbus.test;

import io.fluxbus.Event;
import io.fluxbus.EventBus;
import io.fluxbus.PublishResult;
import io.fluxbus.TopicPattern;
import io.fluxbus.memory.MemoryEventBus;
import io.fluxbus.spi.ForwardingEventBus;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;

/**
 * An {@link EventBus} that records every event published through it, for tests: wrap the bus the code under test
 * publishes on, then assert with {@link PublishedEvents#assertThat(RecordingEventBus)} or watch
 * {@link #published(String)} in a {@code StepVerifier}.
 *
 * <pre>{@code
 * RecordingEventBus bus = RecordingEventBus.wrap(MemoryEventBus.create());
 * bus.start().block();
 * new OrderService(bus).place(order).block();
 * PublishedEvents.assertThat(bus)
 *     .published("order.placed").withPayloadMatching(OrderPlaced.class, p -> p.total() > 0).once()
 *     .publishedNothingOn("audit.#");
 * }</pre>
 *
 * <p>An event is recorded when its publish <em>ran</em>: the {@code Mono} returned by {@code publish} was
 * subscribed and completed with a {@link PublishResult} (a publish never subscribed, refused because the bus is
 * not started, or cancelled while waiting for room is not recorded). Records are kept in the order their
 * publishes started, so an event published by a sync handler comes after the event that triggered it. Events
 * the bus publishes by itself (dead letters) are not recorded. Everything else is forwarded to the wrapped bus
 * unchanged. Thread-safe.
 */
public final class RecordingEventBus extends ForwardingEventBus {

  private final EventBus delegate;
  private final AtomicLong sequence = new AtomicLong();
  private final Object lock = new Object();
  /** Guarded by {@link #lock}. */
  private final List<RecordedPublish> records = new ArrayList<>();
  /** Guarded by {@link #lock}. */
  private final List<FluxSink<RecordedPublish>> listeners = new ArrayList<>();
  /** Guarded by {@link #lock}: publishes that started before this are forgotten. */
  private long clearedBefore;

  private RecordingEventBus(EventBus delegate) {
    this.delegate = delegate;
  }

  /**
   * Records what is published through {@code bus}. The recorder does not start or stop the bus; call
   * {@link #start()} and {@link #stop()} on either.
   *
   * @throws NullPointerException if bus is null
   */
  public static RecordingEventBus wrap(EventBus bus) {
    return new RecordingEventBus(Objects.requireNonNull(bus, "bus must not be null"));
  }

  /** A recorder around a new {@link MemoryEventBus} with its defaults; not yet started. */
  public static RecordingEventBus inMemory() {
    return wrap(MemoryEventBus.create());
  }

  /** The wrapped bus. */
  @Override
  public EventBus delegate() {
    return delegate;
  }

  /**
   * Publishes through the wrapped bus and records the event once its publish completes. Lazy, like the wrapped
   * bus's publish.
   *
   * @throws NullPointerException if event is null
   */
  @Override
  public Mono<PublishResult> publish(Event<?> event) {
    Objects.requireNonNull(event, "event must not be null");
    @SuppressWarnings("unchecked")
    Event<Object> recorded = (Event<Object>) event;
    return Mono.defer(() -> {
      long started = sequence.getAndIncrement();
      return delegate.publish(event).doOnNext(result -> record(new RecordedPublish(started, recorded, result)));
    });
  }

  /**
   * Publishes {@code payload} on {@code topic} as a new event, built here so that it can be recorded; the same as
   * {@code publish(Event.of(topic, payload))}.
   *
   * @throws io.fluxbus.InvalidTopicException at once if the topic is invalid
   * @throws io.fluxbus.InvalidEventException at once if the payload is null
   */
  @Override
  public Mono<PublishResult> publish(String topic, Object payload) {
    return publish(Event.of(topic, payload));
  }

  /** Every recorded publish, in the order the publishes started; a snapshot. */
  public List<RecordedPublish> recorded() {
    synchronized (lock) {
      List<RecordedPublish> snapshot = new ArrayList<>(records);
      snapshot.sort(Comparator.comparingLong(RecordedPublish::sequence));
      return snapshot;
    }
  }

  /** Every recorded event, in the order the publishes started; a snapshot. */
  public List<Event<Object>> events() {
    return recorded().stream().map(RecordedPublish::event).toList();
  }

  /**
   * The recorded events whose topic matches {@code pattern}, then each one recorded from now on, as a hot-then-live
   * {@code Flux} that never completes by itself: made for {@code StepVerifier}, e.g.
   * {@code StepVerifier.create(bus.published("order.#").take(1))}. Recorded events come first, in start order; later
   * ones arrive as their publishes complete, on the thread that completed them.
   *
   * @throws io.fluxbus.InvalidPatternException at once if the pattern is invalid
   */
  public Flux<Event<Object>> published(String pattern) {
    TopicPattern topics = TopicPattern.of(pattern);
    return Flux.<RecordedPublish>create(sink -> {
      synchronized (lock) {
        recorded().forEach(sink::next);
        listeners.add(sink);
      }
      sink.onDispose(() -> {
        synchronized (lock) {
          listeners.remove(sink);
        }
      });
    }).filter(record -> topics.matches(record.event().topic())).map(RecordedPublish::event);
  }

  /** Forgets what was recorded so far, including publishes still running; {@link #published} Fluxes go on. */
  public void clear() {
    synchronized (lock) {
      clearedBefore = sequence.get();
      records.clear();
    }
  }

  private void record(RecordedPublish record) {
    synchronized (lock) {
      if (record.sequence() < clearedBefore) {
        return;
      }
      records.add(record);
      for (FluxSink<RecordedPublish> listener : List.copyOf(listeners)) {
        listener.next(record);
      }
    }
  }

  @Override
  public String toString() {
    return "RecordingEventBus[" + delegate + "]";
  }
}
