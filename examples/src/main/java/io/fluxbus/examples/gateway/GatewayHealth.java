package io.fluxbus.examples.gateway;

import io.fluxbus.EventBus;
import io.fluxbus.LifecycleEvent;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import reactor.core.Disposable;

/**
 * Whether the gateway can serve: {@code UP} while the bus runs and every engine is connected, {@code DOWN} once
 * shutdown has begun or while an engine reports {@code ENGINE_DISCONNECTED} (until its
 * {@code ENGINE_RECONNECTED}). Thread-safe.
 */
final class GatewayHealth {

  /**
   * The answer of {@code /health}.
   *
   * @param status {@code UP} or {@code DOWN}
   * @param engines each engine's {@code UP} or {@code DOWN}, in configuration order
   */
  record Report(String status, Map<String, String> engines) {
    boolean up() {
      return status.equals("UP");
    }
  }

  private final Set<String> disconnected = ConcurrentHashMap.newKeySet();
  private volatile boolean stopping;
  private volatile Disposable watching;

  /** Follows the bus's connection events until {@link #stopping()}. */
  void watch(EventBus bus) {
    watching = bus.lifecycle()
        .filter(e -> e.type() == LifecycleEvent.Type.ENGINE_DISCONNECTED
            || e.type() == LifecycleEvent.Type.ENGINE_RECONNECTED)
        .subscribe(e -> {
          if (e.type() == LifecycleEvent.Type.ENGINE_DISCONNECTED) {
            disconnected.add(e.engine());
          } else {
            disconnected.remove(e.engine());
          }
        });
  }

  /** Shutdown has begun: from now on the gateway reports {@code DOWN}. */
  void stopping() {
    stopping = true;
    Disposable current = watching;
    if (current != null) {
      current.dispose();
    }
  }

  Report report(Collection<String> engineNames) {
    Map<String, String> engines = new LinkedHashMap<>();
    for (String engine : engineNames) {
      engines.put(engine, stopping || disconnected.contains(engine) ? "DOWN" : "UP");
    }
    boolean up = !stopping && !engines.containsValue("DOWN");
    return new Report(up ? "UP" : "DOWN", engines);
  }
}
