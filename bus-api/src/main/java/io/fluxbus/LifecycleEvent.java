package io.fluxbus;

import java.time.Instant;

/**
 * Something that happened to a bus, emitted on {@link EventBus#lifecycle()}. Fields that do not apply are null.
 *
 * @param type what happened
 * @param engine the engine's name or type, e.g. {@code memory}
 * @param pattern the subscription's pattern, for subscription and delivery events
 * @param subscriptionId the subscription's id, for subscription and delivery events
 * @param eventId the event's id, for delivery events
 * @param reason why, for failures and drops: the error message or the drop reason
 * @param time when it happened
 */
public record LifecycleEvent(Type type, String engine, String pattern, String subscriptionId, String eventId,
                             String reason, Instant time) {

  /** Kinds of lifecycle events. */
  public enum Type {
    /** {@code start()} completed. */
    BUS_STARTED,
    /** {@code stop()} completed. */
    BUS_STOPPED,
    /**
     * A subscription became active; {@code reason} says what it is: {@code sync handler}, {@code async handler},
     * {@code sync flux} or {@code async flux}, followed by {@code , group <name>} for a consumer group's member.
     */
    SUBSCRIPTION_CREATED,
    /** A subscription was cancelled, or removed by stop. */
    SUBSCRIPTION_REMOVED,
    /** A handler or subscriber failed on an event (after its last attempt); {@code reason} holds the error. */
    HANDLER_FAILED,
    /** An event was dropped for a subscription; {@code reason} is the drop reason. */
    EVENT_DROPPED,
    /** A failed event was published to a dead-letter topic; {@code reason} names the topic and the error. */
    EVENT_DEAD_LETTERED,
    /** A remote engine lost its connection. */
    ENGINE_DISCONNECTED,
    /** A remote engine got its connection back. */
    ENGINE_RECONNECTED,
    /**
     * A durable group's member on this bus gained partitions of the log; {@code pattern} is the subscription's
     * pattern, {@code reason} names the group and the partitions.
     */
    PARTITIONS_ASSIGNED,
    /**
     * A durable group's member on this bus lost partitions of the log (given up in a rebalance, taken from it, or
     * released as it stops); {@code pattern} is the subscription's pattern, {@code reason} names the group, the
     * partitions and why.
     */
    PARTITIONS_REVOKED
  }
}
