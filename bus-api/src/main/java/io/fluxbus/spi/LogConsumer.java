package io.fluxbus.spi;

import io.fluxbus.Event;
import io.fluxbus.LifecycleEvent;
import io.fluxbus.SubscribeOptions;
import io.fluxbus.TopicPattern;
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
 * The local members of one subscription served from a {@link DurableLog}: a consumer group (every subscription on
 * this bus with the same group name and pattern) or one replaying subscription. The engine reads the log and hands
 * each matching event to {@link #deliver}, which gives it to one member with room (members take turns) and
 * completes with the {@link Delivery} the engine settles the event by.
 *
 * <p>Members run on the bus's workers, never on the engine's threads. The consumer keeps no buffer of its own
 * beyond what the engine hands it: the engine decides how many events are in hand at once (see
 * {@link #concurrency()}) and keeps events with the same key in order by handing them over one at a time. Every
 * method is thread-safe.
 */
public final class LogConsumer {

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

  LogConsumer(long seq, String id, TopicPattern pattern, SubscribeOptions options, LocalEventBus bus) {
    this.seq = seq;
    this.id = id;
    this.pattern = pattern;
    this.options = options;
    this.bus = bus;
  }

  /** The consumer group, or empty for a single replaying subscription. */
  public Optional<String> group() {
    return options.group();
  }

  /** The pattern the members subscribed; the engine delivers only events whose topic it matches. */
  public TopicPattern pattern() {
    return pattern;
  }

  /**
   * The first member's options: where a new group or a replay starts ({@code startFrom}); each member's own retry
   * policy and dead-letter topic apply to the events it handles.
   */
  public SubscribeOptions options() {
    return options;
  }

  /** A name for the consumer, unique on its bus: the group and pattern, or the subscription's id. */
  public String id() {
    return id;
  }

  /**
   * How many events the members can have in hand at once now: each handler member its concurrency (1 when sync),
   * each {@code Flux} member one; 0 once every member has left.
   */
  public int concurrency() {
    int sum = 0;
    for (LogEndpoint member : members) {
      sum += member.capacity();
    }
    return sum;
  }

  /** True once the last member left or the bus began to stop: {@link #deliver} returns everything. */
  public boolean isClosed() {
    return closed;
  }

  /**
   * Hands {@code event} to one member; lazy, as every Reactor publisher. Waits (no thread waits) until a member
   * has room. Never signals an error: a failing handler is a {@link Delivery.Failed}.
   *
   * @return the outcome: {@link Delivery.Handled}, {@link Delivery.Failed} (counted and reported; the engine
   *     appends the letter with its acknowledgement), or {@link Delivery.Returned} when the consumer closed first.
   *     Cancelling it before a member took the event withdraws the event.
   */
  public Mono<Delivery> deliver(Event<Object> event) {
    Objects.requireNonNull(event, "event must not be null");
    return Mono.create(sink -> {
      Pending delivery = new Pending(event, sink);
      sink.onCancel(() -> delivery.withdrawn = true);
      pending.offer(delivery);
      signal();
    });
  }

  /** Reports on {@code lifecycle()} that the engine dead-lettered (or failed to dead-letter) an event. */
  public void deadLettered(String eventId, String detail) {
    bus.lifecycleEvent(LifecycleEvent.Type.EVENT_DEAD_LETTERED, pattern.value(), id, eventId, detail);
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
    return "LogConsumer{id=" + id + ", members=" + members.length + ", closed=" + closed + "}";
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
