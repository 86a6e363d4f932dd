package io.fluxbus.spring;

import io.fluxbus.BusStats;
import io.fluxbus.EventBus;
import io.fluxbus.router.EngineRouter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * The {@code fluxbus} Actuator endpoint ({@code /actuator/fluxbus} once exposed): the engines with their state and
 * counters, the bus's counters, the active subscriptions and the {@link FluxbusListener} methods. Subscriptions
 * come from the bus's lifecycle events, which tell id, pattern and engines; kind and group are known only for the
 * subscriptions the starter made for listeners, and are {@code null} for others. Nothing from the engines'
 * configuration is shown (it may hold credentials).
 */
@Endpoint(id = "fluxbus")
public class FluxbusEndpoint {

  private final EventBus bus;
  private final EngineStates engines;
  private final SubscriptionLedger subscriptions;
  private final FluxbusLifecycle lifecycle;

  FluxbusEndpoint(EventBus bus, EngineStates engines, SubscriptionLedger subscriptions, FluxbusLifecycle lifecycle) {
    this.bus = bus;
    this.engines = engines;
    this.subscriptions = subscriptions;
    this.lifecycle = lifecycle;
  }

  /** What the bus is doing now; reads counters and snapshots, never blocks. */
  @ReadOperation
  public Report report() {
    Map<String, EngineReport> engineReports = new LinkedHashMap<>();
    engines.snapshot().forEach((name, state) -> engineReports.put(name, new EngineReport(state.state().name(),
        state.since().toString(), bus instanceof EngineRouter router ? router.stats(name) : bus.stats())));
    Map<String, RunningListener> bySubscription = new LinkedHashMap<>();
    List<ListenerReport> listenerReports = new ArrayList<>();
    for (RunningListener listener : lifecycle.listeners()) {
      ListenerDefinition d = listener.definition();
      if (listener.subscriptionId() != null) {
        bySubscription.put(listener.subscriptionId(), listener);
      }
      listenerReports.add(new ListenerReport(d.id(), d.where(), d.pattern(), d.kind(), d.async(), d.group(),
          d.concurrency(), d.retry().maxAttempts(), d.deadLetter(), listener.state(), listener.failures()));
    }
    List<SubscriptionReport> subscriptionReports = new ArrayList<>();
    for (SubscriptionLedger.Entry entry : subscriptions.snapshot()) {
      RunningListener listener = bySubscription.get(entry.id());
      ListenerDefinition d = listener == null ? null : listener.definition();
      subscriptionReports.add(new SubscriptionReport(entry.id(), entry.pattern(), entry.engines(), entry.kind(),
          entry.group(), d == null ? null : d.id()));
    }
    return new Report(lifecycle.isRunning(), bus.stats(), engineReports, subscriptionReports, listenerReports);
  }

  /**
   * The endpoint's answer.
   *
   * @param running whether the bus runs
   * @param stats the bus's counters since it was created
   * @param engines each engine's state and counters, by name
   * @param subscriptions the active subscriptions
   * @param listeners the {@code @FluxbusListener} methods
   */
  public record Report(boolean running, BusStats stats, Map<String, EngineReport> engines,
                       List<SubscriptionReport> subscriptions, List<ListenerReport> listeners) {}

  /**
   * One engine.
   *
   * @param state {@code RUNNING}, {@code DISCONNECTED} or {@code STOPPED}
   * @param since when it entered that state (ISO-8601)
   * @param stats its counters
   */
  public record EngineReport(String state, String since, BusStats stats) {}

  /**
   * One active subscription.
   *
   * @param id its id
   * @param pattern its pattern
   * @param engines the engines it is active on
   * @param kind {@code sync handler}, {@code async handler}, {@code sync flux} or {@code async flux}
   * @param group its consumer group, or null
   * @param listener the listener's id, when a listener made it
   */
  public record SubscriptionReport(String id, String pattern, Set<String> engines, String kind, String group,
                                   String listener) {}

  /**
   * One {@code @FluxbusListener} method.
   *
   * @param id its id ({@code fluxbus.listeners.<id>.*})
   * @param method the method
   * @param pattern its pattern
   * @param kind {@code handler}, {@code blocking-handler} or {@code pipeline}
   * @param async whether its subscription is async
   * @param group its consumer group, or null
   * @param concurrency events handled at once
   * @param maxAttempts attempts per event
   * @param deadLetter its dead-letter topic, or null for the default
   * @param state {@code running}, {@code retrying}, {@code ended} or {@code stopped}
   * @param failures pipeline runs ended by an error
   */
  public record ListenerReport(String id, String method, String pattern, String kind, boolean async, String group,
                               int concurrency, int maxAttempts, String deadLetter, String state, long failures) {}
}
