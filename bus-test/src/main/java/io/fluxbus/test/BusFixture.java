package io.fluxbus.test;

import io.fluxbus.EventBus;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Owns everything one contract test creates (buses, schedulers, threads, gates, lifecycle listeners) and
 * releases it in {@link #close()}, which {@link EventBusContract} calls after every test, passed or failed.
 * Not shared between tests.
 */
final class BusFixture {

  private final Function<ContractSettings, EventBus> factory;
  private final List<EventBus> buses = new CopyOnWriteArrayList<>();
  private final List<Gate> gates = new CopyOnWriteArrayList<>();
  private final List<Disposable> disposables = new CopyOnWriteArrayList<>();
  private final List<ExecutorService> executors = new CopyOnWriteArrayList<>();
  private final List<ControlledSubscriber<?>> subscribers = new CopyOnWriteArrayList<>();

  private final Capabilities capabilities;

  BusFixture(Function<ContractSettings, EventBus> factory, Capabilities capabilities) {
    this.factory = factory;
    this.capabilities = capabilities;
  }

  /** What the engine under test promises beyond the common contract. */
  Capabilities capabilities() {
    return capabilities;
  }

  /** A new, not yet started bus with the default settings. */
  EventBus created() {
    return created(ContractSettings.defaults());
  }

  /** A new, not yet started bus; stopped after the test. */
  EventBus created(ContractSettings settings) {
    EventBus bus = Objects.requireNonNull(factory.apply(settings), "createBus returned null for " + settings);
    buses.add(bus);
    return bus;
  }

  /** A new, started bus with the default settings. */
  EventBus started() {
    return started(ContractSettings.defaults());
  }

  /** A new, started bus; stopped after the test. */
  EventBus started(ContractSettings settings) {
    EventBus bus = created(settings);
    bus.start().block(ContractPart.WAIT);
    return bus;
  }

  /** Records {@code bus.lifecycle()} from now on. */
  LifecycleRecorder lifecycleOf(EventBus bus) {
    LifecycleRecorder recorder = new LifecycleRecorder(bus);
    disposables.add(recorder);
    return recorder;
  }

  /**
   * Subscribes to {@code flux} without requesting anything; the subscriber is cancelled after the test, before the
   * bus stops, so that stop does not wait out its drain timeout for it.
   */
  <T> ControlledSubscriber<T> withoutDemand(Flux<T> flux) {
    return tracked(ControlledSubscriber.withoutDemand(flux));
  }

  /** Subscribes to {@code flux} requesting everything; cancelled after the test. */
  <T> ControlledSubscriber<T> unbounded(Flux<T> flux) {
    return tracked(ControlledSubscriber.unbounded(flux));
  }

  private <T> ControlledSubscriber<T> tracked(ControlledSubscriber<T> subscriber) {
    subscribers.add(subscriber);
    return subscriber;
  }

  /** A closed gate; opened after the test so that no handler stays in flight. */
  Gate gate() {
    Gate gate = new Gate();
    gates.add(gate);
    return gate;
  }

  /** A single-threaded scheduler whose thread is named after {@code name}; disposed after the test. */
  Scheduler singleThread(String name) {
    Scheduler scheduler = Schedulers.newSingle(name);
    disposables.add(scheduler);
    return scheduler;
  }

  /** A pool of plain threads (not Reactor's), so blocking on it is allowed; shut down after the test. */
  ExecutorService threads(int count) {
    ExecutorService executor = Executors.newFixedThreadPool(count);
    executors.add(executor);
    return executor;
  }

  /**
   * Opens every gate, cancels every controlled subscriber, stops every bus (bounded wait), then disposes schedulers, listeners and threads.
   *
   * @throws AssertionError if a bus did not stop, with every failure attached
   */
  void close() {
    gates.forEach(Gate::open);
    subscribers.forEach(ControlledSubscriber::dispose);
    List<Throwable> failures = new ArrayList<>();
    for (EventBus bus : buses) {
      try {
        bus.stop().block(ContractPart.WAIT);
      } catch (RuntimeException e) {
        failures.add(e);
      }
    }
    disposables.forEach(Disposable::dispose);
    executors.forEach(ExecutorService::shutdownNow);
    if (!failures.isEmpty()) {
      AssertionError error = new AssertionError("stop() failed for " + failures.size() + " bus(es) after the test");
      failures.forEach(error::addSuppressed);
      throw error;
    }
  }
}
