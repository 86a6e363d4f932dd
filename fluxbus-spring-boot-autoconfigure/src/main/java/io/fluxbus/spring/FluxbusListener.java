package io.fluxbus.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Subscribes a bean method to the bus while the application runs: registered when the bus starts (before the web
 * server takes traffic) and removed when it stops (first on shutdown). One of these signatures, where {@code T} is
 * the payload type ({@code Object} for any; other payloads are converted with {@code Event.payloadAs}):
 * <ul>
 *   <li>{@code Mono<Void> m(Event<T> event)} or {@code Mono<Void> m(T payload)}: a handler; the event counts as
 *       handled when the {@code Mono} completes;</li>
 *   <li>{@code void m(Event<T> event)} or {@code void m(T payload)}: a blocking handler, run on
 *       {@code Schedulers.boundedElastic()}, never on the thread that delivers the event;</li>
 *   <li>{@code Flux<?> m(Flux<Event<T>> events)}: a pipeline, subscribed once; see below for what retry and dead
 *       letters mean for it.</li>
 * </ul>
 * Handlers are retried and dead-lettered by the bus itself, per event, exactly as {@code SubscribeOptions.retry}
 * and {@code deadLetter} say. A pipeline is one {@code Flux}, and an error ends it; so for a pipeline, a failure is
 * the error that ended it, and the failed event is the last event the pipeline took before it. The starter
 * subscribes the pipeline again (a new subscription on the bus) after the backoff, offering that event first; once
 * it has failed {@link #maxAttempts()} times it is published to the dead-letter topic (with the {@code dlqerror},
 * {@code dlqtopic}, {@code dlqattempts} and {@code dlqlistener} headers) and the pipeline resumes with the next
 * events. Per-run state (a {@code scan}'s accumulator) starts again; events published while the pipeline is being
 * subscribed again are not delivered to it, and events buffered for the failed run are counted as dropped by the
 * bus, unless the subscription is a durable consumer group, which redelivers them.
 *
 * <p>A wrong signature, an invalid pattern or an invalid setting fails startup with a message naming the method.
 * {@code pattern}, {@code group} and {@code deadLetter} may use {@code ${…}} placeholders. Retry and dead-letter
 * settings can be overridden by properties under {@code fluxbus.listeners.<id>.*}.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface FluxbusListener {

  /**
   * The listener's id, for {@code fluxbus.listeners.<id>.*}, logs and the Actuator endpoint: letters, digits,
   * {@code _} and {@code -}. Default: {@code <beanName>.<methodName>} (write it as
   * {@code fluxbus.listeners[<beanName>.<methodName>]} in properties).
   */
  String id() default "";

  /** The topic pattern: {@code *} is one segment, {@code #} zero or more, e.g. {@code orders.#}. */
  String pattern();

  /** A consumer group: listeners (in every instance, on durable engines) sharing it take each event once. */
  String group() default "";

  /**
   * Whether the listener runs on the bus's workers with its own buffer (the default), or on the publishing thread,
   * with {@code publish} completing only after it handled the event.
   */
  boolean async() default true;

  /** How many events a handler works on at once (events with the same key still in order); async only. */
  int concurrency() default 1;

  /** Total attempts per event including the first; {@code 1} (the default) means no retry. */
  int maxAttempts() default 1;

  /** The wait before the second attempt, e.g. {@code 100ms}, {@code 2s}; doubles up to {@link #maxBackoff()}. */
  String firstBackoff() default "100ms";

  /** The longest wait between attempts, e.g. {@code 10s}. */
  String maxBackoff() default "10s";

  /**
   * The topic an event is published to after its last attempt failed; when empty, {@code <topic>.dlq} if the
   * listener retries, else the failure is only counted and reported.
   */
  String deadLetter() default "";
}
