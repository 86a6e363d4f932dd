package io.fluxbus.kafka;

import io.fluxbus.CodecException;
import io.fluxbus.Event;
import io.fluxbus.TopicPattern;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * One record of the log topic as a reader hands it on: where it is, and the event it holds, or why it holds none.
 *
 * @param partition the record's partition
 * @param offset its offset
 * @param topic the Fluxbus topic it names ({@code ce_type}), or null
 * @param key the record's key as text, or null
 * @param origin the bus that published it, or null
 * @param event the event, or null when the record is not one this engine can read
 * @param problem why it is not, or null
 * @param raw the record's value as text, for the dead letter of an unreadable record; null for a readable one
 */
record LogItem(TopicPartition partition, long offset, String topic, String key, String origin, Event<Object> event,
               String problem, String raw) {

  /** Reads a record. */
  static LogItem of(ConsumerRecord<byte[], byte[]> record, BinaryCloudEvents events) {
    TopicPartition partition = new TopicPartition(record.topic(), record.partition());
    String topic = BinaryCloudEvents.topicOf(record.headers());
    String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
    String origin = BinaryCloudEvents.originOf(record.headers());
    try {
      Event<Object> event = events.decode(record.headers(), record.value());
      return new LogItem(partition, record.offset(), event.topic(), event.key() != null ? event.key() : key, origin,
          event, null, null);
    } catch (CodecException unreadable) {
      String raw = record.value() == null ? "" : new String(record.value(), StandardCharsets.UTF_8);
      return new LogItem(partition, record.offset(), topic, key, origin, null, unreadable.getMessage(), raw);
    }
  }

  /** Whether a reader of {@code pattern} takes this record: a readable event it matches, or an unreadable one. */
  boolean concerns(TopicPattern pattern) {
    return event == null ? topic == null || !io.fluxbus.Topics.isValid(topic) || pattern.matches(topic)
        : pattern.matches(event.topic());
  }

  /** The per-key lane: events with one key share one, keyless events of one topic share one. */
  Object lane() {
    return key != null ? "key:" + key : topic != null ? "topic:" + topic : null;
  }

  /** Where the record is, e.g. {@code fluxbus.log-0@42}. */
  String where() {
    return partition + "@" + offset;
  }
}
