/**
 * The {@code kafka} engine: {@link io.fluxbus.kafka.KafkaEventBus} on kafka-clients, a durable log in one Kafka topic
 * per namespace, native consumer groups with per-key lanes within a partition, dead letters and replay.
 */
package io.fluxbus.kafka;
