package io.fluxbus.spring;

import io.fluxbus.ConfigException;
import io.fluxbus.EventBus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.context.SmartLifecycle;

/**
 * Starts and stops the bus with the application, and subscribes the {@link FluxbusListener} methods.
 *
 * <p><b>Start</b>: once every singleton exists ({@link SmartInitializingSingleton}), before any
 * {@link SmartLifecycle} starts — so before the web server starts taking traffic (its lifecycle phase is
 * {@code WebServerApplicationContext.START_STOP_LIFECYCLE_PHASE}) and before the application's own lifecycle beans
 * subscribe. Then the listeners are subscribed, in the order their beans were made. A bus or listener that fails to
 * start fails the application's startup; a listener failure stops the bus again first.
 *
 * <p><b>Stop</b>: in the last phase ({@link #PHASE}, {@code Integer.MAX_VALUE}), so first on shutdown, before the
 * web server's graceful shutdown ({@code WebServerApplicationContext.GRACEFUL_SHUTDOWN_PHASE}): stopping the bus
 * refuses new publishes, drains buffers for up to the engines' {@code drainTimeout}, removes every subscription and
 * completes every subscription's {@code Flux}, so server-sent-event streams over the bus end and the graceful
 * shutdown has nothing to wait for. The stop runs without blocking a thread ({@link #stop(Runnable)}); the context
 * waits for it up to {@code spring.lifecycle.timeout-per-shutdown-phase}. A stopped context that is started again
 * ({@code context.start()}) starts the bus and subscribes the listeners again, but in this bean's phase, the last:
 * lifecycle beans of earlier phases then start before the bus does.
 */
final class FluxbusLifecycle implements SmartLifecycle, SmartInitializingSingleton, DisposableBean {

  /** The phase: the last to start, so the first to stop. */
  static final int PHASE = SmartLifecycle.DEFAULT_PHASE;

  private static final Log log = LogFactory.getLog(FluxbusLifecycle.class);

  private final EventBus bus;
  private final ListenerMethods methods;
  private final Map<String, FluxbusProperties.Listener> overrides;
  private final Duration timeout;
  private final EngineStates engines;
  private volatile List<RunningListener> listeners = List.of();
  private volatile boolean running;

  FluxbusLifecycle(EventBus bus, ListenerMethods methods, FluxbusProperties properties, EngineStates engines) {
    this.bus = bus;
    this.methods = methods;
    this.overrides = properties.listeners();
    this.timeout = properties.startTimeout();
    this.engines = engines;
  }

  @Override
  public void afterSingletonsInstantiated() {
    start();
  }

  /**
   * Starts the bus, waiting up to {@code fluxbus.start-timeout}, then subscribes the listeners.
   *
   * @throws ConfigException for {@code fluxbus.listeners.<id>} naming no listener, or invalid listener settings
   * @throws RuntimeException what the bus or a listener failed with
   */
  @Override
  public synchronized void start() {
    if (running) {
      return;
    }
    List<RunningListener> prepared = prepare(methods.definitions());
    bus.start().block(timeout);
    engines.started();
    List<RunningListener> started = new ArrayList<>();
    try {
      for (RunningListener listener : prepared) {
        listener.start(bus, timeout);
        started.add(listener);
      }
    } catch (RuntimeException e) {
      started.forEach(RunningListener::stopping);
      try {
        bus.stop().block(timeout);
      } catch (RuntimeException stopError) {
        e.addSuppressed(stopError);
      }
      engines.stopped();
      throw e;
    }
    listeners = List.copyOf(started);
    running = true;
  }

  private List<RunningListener> prepare(List<ListenerDefinition> definitions) {
    TreeSet<String> ids = new TreeSet<>();
    definitions.forEach(d -> ids.add(d.id()));
    for (String id : overrides.keySet()) {
      if (!ids.contains(id)) {
        throw new ConfigException("fluxbus.listeners." + id + ": no @FluxbusListener has the id '" + id
            + "'; listener ids: " + ids);
      }
    }
    List<RunningListener> prepared = new ArrayList<>();
    for (ListenerDefinition definition : definitions) {
      ListenerDefinition resolved = definition.with(overrides.get(definition.id()));
      prepared.add(resolved.signature().isPipeline() ? new PipelineListener(resolved) : new HandlerListener(resolved));
    }
    return prepared;
  }

  @Override
  public void stop(Runnable callback) {
    List<RunningListener> current = stopping();
    if (current == null) {
      callback.run();
      return;
    }
    bus.stop()
        .doFinally(signal -> {
          engines.stopped();
          callback.run();
        })
        .subscribe(null, error -> log.error("Fluxbus: stopping the bus failed: " + error, error));
  }

  @Override
  public void stop() {
    if (stopping() != null) {
      try {
        bus.stop().block(timeout);
      } finally {
        engines.stopped();
      }
    }
  }

  /** Marks the listeners as stopping; null when the bus was not running. */
  private synchronized List<RunningListener> stopping() {
    if (!running) {
      return null;
    }
    running = false;
    listeners.forEach(RunningListener::stopping);
    return listeners;
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    return PHASE;
  }

  /** Stops the bus when the context is closed without stopping its lifecycle beans (a failed refresh). */
  @Override
  public void destroy() {
    stop();
  }

  /** The listeners of the last start, each with its state. */
  List<RunningListener> listeners() {
    return listeners;
  }
}
