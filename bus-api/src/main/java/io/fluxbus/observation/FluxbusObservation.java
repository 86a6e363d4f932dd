package io.fluxbus.observation;

import io.micrometer.common.docs.KeyName;
import io.micrometer.observation.docs.ObservationDocumentation;

/**
 * The observations a bus makes, with their keys. Low-cardinality keys (also the tags of the timers a
 * {@code MeterObservationHandler} derives) never carry a topic's free text or an event id; those are
 * high-cardinality keys, which reach spans only. Keys follow the OpenTelemetry messaging semantic conventions where
 * one applies.
 */
public enum FluxbusObservation implements ObservationDocumentation {

  /** One publish, from the call until its result (or error); a producer span, parent of every delivery. */
  PUBLISH {
    @Override
    public String getName() {
      return "fluxbus.publish";
    }

    @Override
    public String getContextualName() {
      return "publish";
    }

    @Override
    public KeyName[] getLowCardinalityKeyNames() {
      return new KeyName[] {Keys.MESSAGING_SYSTEM, Keys.OPERATION_TYPE, Keys.OPERATION_NAME, Keys.ENGINE};
    }

    @Override
    public KeyName[] getHighCardinalityKeyNames() {
      return new KeyName[] {Keys.DESTINATION, Keys.MESSAGE_ID};
    }
  },

  /**
   * One attempt of one delivery to one subscription: a handler's call until its {@code Mono} ends, or a
   * {@code Flux} subscriber's {@code onNext}; a consumer span whose parent is the publish, read from the event's
   * {@code traceparent}. A retried delivery makes one per attempt.
   */
  PROCESS {
    @Override
    public String getName() {
      return "fluxbus.process";
    }

    @Override
    public String getContextualName() {
      return "process";
    }

    @Override
    public KeyName[] getLowCardinalityKeyNames() {
      return new KeyName[] {Keys.MESSAGING_SYSTEM, Keys.OPERATION_TYPE, Keys.OPERATION_NAME, Keys.ENGINE,
          Keys.PATTERN, Keys.CONSUMER_GROUP};
    }

    @Override
    public KeyName[] getHighCardinalityKeyNames() {
      return new KeyName[] {Keys.DESTINATION, Keys.MESSAGE_ID};
    }
  };

  /** The keys of {@link FluxbusObservation}'s observations. */
  public enum Keys implements KeyName {
    /** The engine's type: {@code memory}, {@code redis}, {@code postgres}, {@code kafka}, .... */
    MESSAGING_SYSTEM("messaging.system"),
    /** {@code send} for a publish, {@code process} for a delivery. */
    OPERATION_TYPE("messaging.operation.type"),
    /** {@code publish} or {@code process}. */
    OPERATION_NAME("messaging.operation.name"),
    /** The engine's name, as in the {@code engine} tag of the bus's meters. */
    ENGINE("fluxbus.engine"),
    /** The subscription's pattern, e.g. {@code orders.#}. */
    PATTERN("fluxbus.pattern"),
    /** The subscription's group, or {@code none}. */
    CONSUMER_GROUP("messaging.consumer.group.name"),
    /** The event's topic (high cardinality: spans only). */
    DESTINATION("messaging.destination.name"),
    /** The event's id (high cardinality: spans only). */
    MESSAGE_ID("messaging.message.id");

    private final String name;

    Keys(String name) {
      this.name = name;
    }

    @Override
    public String asString() {
      return name;
    }
  }
}
