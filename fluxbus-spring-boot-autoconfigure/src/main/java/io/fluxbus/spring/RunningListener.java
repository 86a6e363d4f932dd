package io.fluxbus.spring;

import io.fluxbus.EventBus;
import java.time.Duration;

/**
 * A {@link FluxbusListener} method subscribed to a bus: {@link HandlerListener} for handlers,
 * {@link PipelineListener} for {@code Flux} pipelines. Started by {@link FluxbusLifecycle} once the bus runs,
 * told before the bus stops (stopping the bus removes the subscription itself).
 */
sealed interface RunningListener permits HandlerListener, PipelineListener {

  /** The method and its settings. */
  ListenerDefinition definition();

  /**
   * Subscribes, waiting at most {@code timeout} for the subscription to be active; called on the thread that
   * starts the application, never on an event loop.
   *
   * @throws RuntimeException when the bus refuses the subscription or the pipeline cannot be assembled
   */
  void start(EventBus bus, Duration timeout);

  /** The bus is about to stop: from now on, the end of the subscription is no failure. */
  void stopping();

  /** The subscription's id on the bus, when the API gives one (handlers), else null. */
  String subscriptionId();

  /** {@code running}, {@code retrying} (a pipeline waiting to be subscribed again), {@code ended} or {@code stopped}. */
  String state();

  /** Pipeline runs ended by an error so far (handlers' failures are counted by the bus, in {@code stats()}). */
  long failures();
}
