package io.fluxbus.spring;

import io.fluxbus.EventBus;
import io.fluxbus.LifecycleEvent;
import io.fluxbus.router.EngineRouter;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import reactor.core.Disposable;

/**
 * The state of each engine, for health and the Actuator endpoint: {@code STOPPED} until the bus started,
 * {@code RUNNING} after, {@code DISCONNECTED} from an engine's {@code ENGINE_DISCONNECTED} until its
 * {@code ENGINE_RECONNECTED}, {@code STOPPED} again once the bus stopped. Start and stop are told by
 * {@link FluxbusLifecycle}; connection changes come from {@link EventBus#lifecycle()}, watched from construction
 * (before the bus starts) until {@link #close()}. Thread-safe.
 */
final class EngineStates implements AutoCloseable {

  /** What an engine is doing. */
  enum State { STOPPED, RUNNING, DISCONNECTED }

  /**
   * One engine's state.
   *
   * @param state the state
   * @param since when the engine entered it
   */
  record EngineState(State state, Instant since) {}

  private final List<String> names;
  private final Map<String, EngineState> states = new ConcurrentHashMap<>();
  private final Disposable watch;

  EngineStates(EventBus bus) {
    this.names = engineNames(bus);
    Instant now = Instant.now();
    names.forEach(name -> states.put(name, new EngineState(State.STOPPED, now)));
    this.watch = bus.lifecycle()
        .filter(e -> e.type() == LifecycleEvent.Type.ENGINE_DISCONNECTED
            || e.type() == LifecycleEvent.Type.ENGINE_RECONNECTED)
        .subscribe(this::onConnection);
  }

  /** The engines' names: the router's, or {@code bus} for any other {@link EventBus}. */
  static List<String> engineNames(EventBus bus) {
    return bus instanceof EngineRouter router ? List.copyOf(router.engineNames()) : List.of("bus");
  }

  /** Every engine's state, in configuration order. */
  Map<String, EngineState> snapshot() {
    Map<String, EngineState> copy = new LinkedHashMap<>();
    names.forEach(name -> copy.put(name, states.get(name)));
    return copy;
  }

  void started() {
    Instant now = Instant.now();
    names.forEach(name -> states.computeIfPresent(name, (n, old) -> old.state() == State.STOPPED
        ? new EngineState(State.RUNNING, now) : old));
  }

  void stopped() {
    Instant now = Instant.now();
    names.forEach(name -> states.put(name, new EngineState(State.STOPPED, now)));
  }

  private void onConnection(LifecycleEvent event) {
    String name = names.size() == 1 ? names.get(0) : event.engine();
    boolean lost = event.type() == LifecycleEvent.Type.ENGINE_DISCONNECTED;
    states.computeIfPresent(name, (n, old) -> {
      if (lost && old.state() == State.RUNNING) {
        return new EngineState(State.DISCONNECTED, event.time());
      }
      if (!lost && old.state() == State.DISCONNECTED) {
        return new EngineState(State.RUNNING, event.time());
      }
      return old;
    });
  }

  @Override
  public void close() {
    watch.dispose();
  }
}
