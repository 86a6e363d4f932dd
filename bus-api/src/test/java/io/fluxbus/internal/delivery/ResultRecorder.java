package io.fluxbus.internal.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxbus.PublishResult;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;

/**
 * Subscribes to one publish and records every signal it gets, from any thread, so a stress test can check that
 * the publish completed exactly once: one result, one completion, no error.
 */
final class ResultRecorder implements CoreSubscriber<PublishResult> {

  private final AtomicInteger values = new AtomicInteger();
  private final AtomicInteger completions = new AtomicInteger();
  private final AtomicReference<PublishResult> result = new AtomicReference<>();
  private final AtomicReference<Throwable> error = new AtomicReference<>();
  private final CountDownLatch done;

  ResultRecorder() {
    this(new CountDownLatch(0));
  }

  /** @param done counted down once per terminal signal, so a test can wait for a set of publishes */
  ResultRecorder(CountDownLatch done) {
    this.done = done;
  }

  @Override
  public void onSubscribe(Subscription s) {
    s.request(Long.MAX_VALUE);
  }

  @Override
  public void onNext(PublishResult value) {
    values.incrementAndGet();
    result.set(value);
  }

  @Override
  public void onError(Throwable t) {
    error.set(t);
    done.countDown();
  }

  @Override
  public void onComplete() {
    completions.incrementAndGet();
    done.countDown();
  }

  /** The last result seen, or null. */
  PublishResult result() {
    return result.get();
  }

  void assertCompletedOnce(String where) {
    assertThat(error.get()).as("%s: error", where).isNull();
    assertThat(values.get()).as("%s: results", where).isEqualTo(1);
    assertThat(completions.get()).as("%s: completions", where).isEqualTo(1);
  }

  void assertCompletedOnceWith(PublishResult expected, String where) {
    assertCompletedOnce(where);
    assertThat(result.get()).as(where).isEqualTo(expected);
  }

  /** Waits at most {@code seconds} for {@code latch}; a bounded wait, never a sleep. */
  static boolean await(CountDownLatch latch, long seconds) throws InterruptedException {
    return latch.await(seconds, TimeUnit.SECONDS);
  }
}
