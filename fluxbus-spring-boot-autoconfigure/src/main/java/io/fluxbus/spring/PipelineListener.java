package io.fluxbus.spring;

import io.fluxbus.Event;
import io.fluxbus.EventBus;
import io.fluxbus.internal.DeadLetters;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A {@code Flux<?> m(Flux<Event<T>>)} listener. Each run subscribes to the bus and hands the method that
 * {@code Flux}; an error ends the run. The failed event is the last one the run took: the next run, after the
 * policy's backoff (doubling from {@code firstBackoff} up to {@code maxBackoff}), offers it first again; once it has
 * failed {@code maxAttempts} times it is dead-lettered (its {@code deadLetter} topic, else {@code <topic>.dlq} when
 * the listener retries, else only logged and counted) and the next run starts with the events that follow. An error
 * before the run took any event (or a method that throws while assembling) is retried by the same policy and then
 * ends the listener ({@code ended}), as does a pipeline that completes by itself. Events the ended run had buffered
 * are counted as dropped by the bus ({@code cancelled}); between runs the listener has no subscription.
 */
final class PipelineListener implements RunningListener {

  private static final Log log = LogFactory.getLog(PipelineListener.class);

  private final ListenerDefinition definition;
  private final Disposable.Swap current = Disposables.swap();
  private final AtomicLong failures = new AtomicLong();
  private volatile String state = "stopped";
  private volatile boolean stopping;
  private volatile EventBus bus;
  /** Counts what was subscribed last; guarded by this. A callback may start the next step before its caller returns. */
  private long generation;

  PipelineListener(ListenerDefinition definition) {
    this.definition = definition;
  }

  @Override
  public ListenerDefinition definition() {
    return definition;
  }

  @Override
  public void start(EventBus bus, Duration timeout) {
    this.bus = bus;
    stopping = false;
    run(null, 0);
  }

  @Override
  public void stopping() {
    // no cancel: stopping the bus drains the run's buffer and then completes its Flux
    stopping = true;
    state = "stopped";
  }

  @Override
  public String subscriptionId() {
    return null;
  }

  @Override
  public String state() {
    return state;
  }

  @Override
  public long failures() {
    return failures.get();
  }

  /**
   * Starts a run.
   *
   * @param retried the event the last run failed on, offered first; null for none
   * @param attempts how often {@code retried} has failed so far
   */
  private synchronized void run(Event<Object> retried, int attempts) {
    AtomicReference<Event<Object>> last = new AtomicReference<>();
    Flux<Event<Object>> events = bus.subscribe(definition.pattern(), Object.class, definition.options());
    Flux<Event<Object>> input = (retried == null ? events : Flux.concat(Mono.just(retried), events))
        .doOnNext(last::set);
    Flux<?> output;
    try {
      output = ListenerInvoker.pipeline(definition, input);
    } catch (RuntimeException e) {
      if (retried == null && attempts == 0 && "stopped".equals(state)) {
        throw e; // the first assembly: fail startup, naming the method
      }
      output = Flux.error(e);
    }
    state = "running";
    long step = ++generation;
    Disposable run = output.subscribe(
        item -> { },
        error -> failed(last.get(), retried, attempts, error),
        this::completed);
    keep(step, run);
  }

  /** Then starts the next run, unless the listener is stopping. */
  private synchronized void then(Mono<?> before, Event<Object> retried, int attempts) {
    long step = ++generation;
    Disposable waiting = before.subscribe(null, null, () -> {
      if (!stopping) {
        run(retried, attempts);
      }
    });
    keep(step, waiting);
  }

  /** Holds {@code disposable} as the current step, unless a later step started while it was being subscribed. */
  private synchronized void keep(long step, Disposable disposable) {
    if (generation == step) {
      current.update(disposable);
    }
  }

  private void failed(Event<Object> event, Event<Object> retried, int attempts, Throwable error) {
    failures.incrementAndGet();
    if (stopping) {
      return;
    }
    int tried = event != null && event == retried ? attempts + 1 : 1;
    String what = event == null ? "before taking an event" : "on event " + event.id() + " (" + event.topic() + ")";
    if (tried < definition.retry().maxAttempts()) {
      log.warn("Fluxbus listener '" + definition.id() + "' failed " + what + ", attempt " + tried + " of "
          + definition.retry().maxAttempts() + "; subscribing again: " + error);
      state = "retrying";
      then(Mono.delay(backoff(tried)), event, tried);
      return;
    }
    if (event == null) {
      log.error("Fluxbus listener '" + definition.id() + "' failed " + what + " " + tried + " time(s); it has "
          + "ended: " + error, error);
      state = "ended";
      return;
    }
    String topic = definition.deadLetter() != null ? definition.deadLetter()
        : definition.retry().retries() ? event.topic() + ".dlq" : null;
    if (topic == null) {
      log.error("Fluxbus listener '" + definition.id() + "' failed " + what + "; no dead-letter topic, the event "
          + "is not handled: " + error, error);
      run(null, 0);
      return;
    }
    Event<Object> letter = DeadLetters.letter(event, topic, error.toString(), tried,
        Map.of("dlqlistener", definition.id()));
    log.warn("Fluxbus listener '" + definition.id() + "' failed " + what + " " + tried + " time(s); dead-lettered "
        + "to '" + topic + "': " + error);
    then(bus.publish(letter)
        .doOnError(publishError -> log.error("Fluxbus listener '" + definition.id() + "' could not dead-letter "
            + "event " + event.id() + " to '" + topic + "': " + publishError, publishError))
        .onErrorResume(publishError -> Mono.empty()), null, 0);
  }

  private void completed() {
    if (!stopping) {
      log.warn("Fluxbus listener '" + definition.id() + "' completed by itself; it has ended");
      state = "ended";
    }
  }

  private Duration backoff(int attempt) {
    Duration first = definition.retry().firstBackoff().isZero() ? Duration.ofMillis(1)
        : definition.retry().firstBackoff();
    Duration wait = first.multipliedBy(1L << Math.min(attempt - 1, 30));
    return wait.compareTo(definition.retry().maxBackoff()) > 0 ? definition.retry().maxBackoff() : wait;
  }
}
