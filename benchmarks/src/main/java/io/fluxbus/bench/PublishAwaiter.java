package io.fluxbus.bench;

import io.fluxbus.PublishResult;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;

/**
 * Subscribes to Fluxbus publish {@code Mono}s one after another and waits for each to complete, reusing a
 * single subscriber so that the benchmark itself allocates nothing per event.
 *
 * <p>Reuse is allowed by Reactive Streams rule 2.5 because each subscription has terminated before the next
 * one starts. A synchronous publish, or an asynchronous one with room in the buffer, completes inside
 * {@code subscribe}; under {@code DeliveryMode.block()} a publish to a full buffer completes later, on the
 * bus's worker, and the caller yields until then, just as {@code ArrayBlockingQueue.put} or the Disruptor's
 * {@code next()} hold a producer back. One instance serves one producer thread.
 */
final class PublishAwaiter implements CoreSubscriber<PublishResult> {

  private static final VarHandle COMPLETED;

  static {
    try {
      COMPLETED = MethodHandles.lookup().findVarHandle(PublishAwaiter.class, "completed", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** Publishes started by the owning thread. */
  private long started;
  /** Publishes whose Mono terminated; released by whichever thread completed it. */
  private long completed;
  /** Subscriptions that refused an event, summed over all results. */
  private long dropped;
  private Throwable error;

  /**
   * Subscribes to {@code publish} and returns once it has completed.
   *
   * @throws IllegalStateException if the publish failed
   */
  void publish(Mono<PublishResult> publish) {
    long expected = ++started;
    publish.subscribe(this);
    while ((long) COMPLETED.getAcquire(this) < expected) {
      Thread.yield();
    }
    if (error != null) {
      throw new IllegalStateException("publish failed", error);
    }
  }

  /** Adds drops a caller counted itself (from {@code tryPublish} results). */
  void addDropped(long count) {
    dropped += count;
  }

  /** Subscriptions that dropped an event so far; zero whenever every event was delivered. */
  long dropped() {
    return dropped;
  }

  @Override
  public void onSubscribe(Subscription s) {
    s.request(Long.MAX_VALUE);
  }

  @Override
  public void onNext(PublishResult result) {
    dropped += result.dropped();
  }

  @Override
  public void onError(Throwable t) {
    error = t;
    COMPLETED.setRelease(this, completed + 1);
  }

  @Override
  public void onComplete() {
    COMPLETED.setRelease(this, completed + 1);
  }
}
