package io.fluxbus.internal.delivery;

import io.fluxbus.Event;
import io.fluxbus.LifecycleEvent;
import io.fluxbus.SubscribeOptions;
import io.fluxbus.TopicPattern;
import io.fluxbus.spi.Delivery;
import io.fluxbus.spi.DurableLog;
import io.fluxbus.spi.LogConsumer;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.util.concurrent.Queues;

/**
 * The core's {@link LogConsumer}: the local members of one consumer group (or one replaying subscription) that an
 * engine's {@link DurableLog} hands events to. Pending deliveries wait in a queue; a work-in-progress loop on the
 * bus's workers gives each to a member with room, taking members in turn. Every method is thread-safe.
 */
final class LocalLogConsumer implements LogConsumer {

  private static final LogEndpoint[] NONE = new LogEndpoint[0];

  final long seq;
  private final String id;
  private final TopicPattern pattern;
  private final SubscribeOptions options;
  private final LocalEventBus bus;
  private final Queue<Pending> pending = Queues.<Pending>unboundedMultiproducer().get();
  private final Queue<LogEndpoint> leaving = Queues.<LogEndpoint>unboundedMultiproducer().get();
  private final AtomicInteger wip = new AtomicInteger();
  private final Sinks.Empty<Void> attached = Sinks.empty();
  private volatile LogEndpoint[] members = NONE;
  private volatile boolean closed;
  private volatile Disposable attachment;
  private boolean detached;
  private int turn;

  LocalLogConsumer(long seq, String id, TopicPattern pattern, SubscribeOptions options, LocalEventBus bus) {
    this.seq = seq;
    this.id = id;
    this.pattern = pattern;
    this.options = options;
    this.bus = bus;
  }

  @Override
  public Optional<String> group() {
    return options.group();
  }

  @Override
  public TopicPattern pattern() {
    return pattern;
  }

  @Override
  public SubscribeOptions options() {
    return options;
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public int concurrency() {
    int sum = 0;
    for (LogEndpoint member : members) {
      sum += member.capacity();
    }
    return sum;
  }

  @Override
  public boolean isClosed() {
    return closed;
  }

  @Override
  public Mono<Delivery> deliver(Event<Object> event) {
    Objects.requireNonNull(event, "event must not be null");
    return Mono.create(sink -> {
      Pending delivery = new Pending(event, sink);
      sink.onCancel(() -> delivery.withdrawn = true);
      pending.offer(delivery);
      signal();
    });
  }

  @Override
  public void deadLettered(String eventId, String detail) {
    bus.outcomes.emit(LifecycleEvent.Type.EVENT_DEAD_LETTERED, pattern.value(), id, eventId, detail);
  }

  /** Completes once the engine is reading for this consumer; signals the engine's error if it cannot. */
  Mono<Void> attached() {
    return attached.asMono();
  }

  /** Asks the engine to read for this consumer; called once, outside the bus's registry lock. */
  void attach(DurableLog log) {
    Mono<Disposable> attaching;
    try {
      attaching = Objects.requireNonNull(log.attach(this), "DurableLog.attach returned null");
    } catch (RuntimeException error) {
      attaching = Mono.error(error);
    }
    attaching
        .switchIfEmpty(Mono.error(() -> new IllegalStateException("DurableLog.attach completed without a handle")))
        .subscribe(handle -> {
          attachment = handle;
          attached.tryEmitEmpty();
          if (closed) {
            signal();
          }
        }, attached::tryEmitError);
  }

  /** Adds a member (under the bus's registry lock). */
  void join(LogEndpoint member) {
    LogEndpoint[] current = members;
    LogEndpoint[] next = Arrays.copyOf(current, current.length + 1);
    next[current.length] = member;
    members = next;
    member.consumer = this;
    signal();
  }

  /** Removes a member (under the bus's registry lock); true when none is left, and the consumer is closed. */
  boolean leave(LogEndpoint member) {
    LogEndpoint[] next = Arrays.stream(members).filter(m -> m != member).toArray(LogEndpoint[]::new);
    members = next;
    leaving.offer(member);
    if (next.length == 0) {
      closed = true;
    }
    signal();
    return next.length == 0;
  }

  /** Stops reading (the bus stops): events not yet taken are returned; members in hand finish. */
  void close() {
    closed = true;
    signal();
  }

  /** Runs the dispatch loop on a worker, or makes the running loop go round again. */
  void signal() {
    if (wip.getAndIncrement() != 0) {
      return;
    }
    Scheduler workers = bus.workers();
    if (workers == null) {
      drain();
      return;
    }
    try {
      workers.schedule(this::drain);
    } catch (RejectedExecutionException stopping) {
      drain();
    }
  }

  private void drain() {
    int missed = 1;
    while (true) {
      LogEndpoint left;
      while ((left = leaving.poll()) != null) {
        left.finishLeaving();
      }
      if (closed) {
        detach();
        Pending next;
        while ((next = pending.poll()) != null) {
          next.settle(Delivery.Returned.INSTANCE);
        }
      } else {
        dispatch();
      }
      missed = wip.addAndGet(-missed);
      if (missed == 0) {
        return;
      }
    }
  }

  private void dispatch() {
    Pending next;
    while ((next = pending.peek()) != null) {
      if (next.withdrawn) {
        pending.poll();
        continue;
      }
      LogEndpoint member = reserveMember();
      if (member == null) {
        return;
      }
      pending.poll();
      member.take(next);
    }
  }

  private LogEndpoint reserveMember() {
    LogEndpoint[] all = members;
    int n = all.length;
    for (int i = 0; i < n; i++) {
      int index = Math.floorMod(turn + i, n);
      if (all[index].reserve()) {
        turn = index + 1;
        return all[index];
      }
    }
    return null;
  }

  private void detach() {
    Disposable handle = attachment;
    if (handle != null && !detached) {
      detached = true;
      handle.dispose();
    }
  }

  /** True when no member has an event in hand. */
  boolean idle() {
    for (LogEndpoint member : members) {
      if (!member.idle()) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return "LocalLogConsumer{id=" + id + ", members=" + members.length + ", closed=" + closed + "}";
  }

  /** An event handed to the consumer and not yet settled. */
  static final class Pending {
    private final Event<Object> event;
    private final MonoSink<Delivery> sink;
    volatile boolean withdrawn;

    Pending(Event<Object> event, MonoSink<Delivery> sink) {
      this.event = event;
      this.sink = sink;
    }

    Event<Object> event() {
      return event;
    }

    void settle(Delivery outcome) {
      sink.success(outcome);
    }
  }
}
