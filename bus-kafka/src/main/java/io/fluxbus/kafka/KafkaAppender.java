package io.fluxbus.kafka;

import io.fluxbus.BusNotStartedException;
import io.fluxbus.Event;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.utils.Utils;
import reactor.core.publisher.Mono;

/**
 * The producer side of a {@link KafkaSession}: appends events to the log topic. {@code KafkaProducer.send} may block
 * (on metadata, or while its buffer is full, up to {@code max.block.ms}), so it runs on one thread of the appender's
 * own, never on the caller's; sends start in the order they were subscribed, so that one key's publishes keep their
 * order, and the producer's callback completes each append. A record's partition is the Kafka default partitioner's
 * for its key ({@code murmur2(key) mod partitions}); a keyless event's is the same hash of its topic, so that one
 * topic's keyless events keep their order too. Thread-safe.
 */
final class KafkaAppender {

  private final KafkaProducer<byte[], byte[]> producer;
  private final String topic;
  private final int partitions;
  private final ExecutorService sender;

  KafkaAppender(KafkaProducer<byte[], byte[]> producer, String topic, int partitions, String threadName) {
    this.producer = producer;
    this.topic = topic;
    this.partitions = partitions;
    this.sender = Executors.newSingleThreadExecutor(task -> {
      Thread thread = new Thread(task, threadName);
      thread.setDaemon(true);
      return thread;
    });
  }

  /**
   * Appends a stamped event; lazy. The result is signalled on the producer's I/O thread: move off it before doing
   * anything slow.
   *
   * @param value the payload as the record's value
   * @param origin the bus whose reader passes the record by, or null for every bus to read it
   * @return the record's place once the broker acknowledged it (per {@code acks}); the producer's error when it gave
   *     up ({@code delivery.timeout.ms}), or {@link BusNotStartedException} once the appender closed
   */
  Mono<RecordMetadata> append(Event<?> event, byte[] value, String origin) {
    return Mono.create(sink -> {
      ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, partitionOf(event), null,
          BinaryCloudEvents.key(event), value, BinaryCloudEvents.headers(event, origin));
      try {
        sender.execute(() -> {
          try {
            producer.send(record, (metadata, error) -> {
              if (error == null) {
                sink.success(metadata);
              } else {
                sink.error(error);
              }
            });
          } catch (RuntimeException refused) {
            sink.error(refused);
          }
        });
      } catch (RejectedExecutionException closed) {
        sink.error(new BusNotStartedException("Cannot publish '" + event.topic() + "': the producer is closing"));
      }
    });
  }

  /** The partition of an event: its key's, or for a keyless event its topic's. */
  int partitionOf(Event<?> event) {
    String by = event.key() != null ? event.key() : event.topic();
    return Utils.toPositive(Utils.murmur2(by.getBytes(StandardCharsets.UTF_8))) % partitions;
  }

  /** Sends what was queued, then closes the producer, waiting up to {@code wait} for outstanding sends. */
  void close(Duration wait) {
    sender.shutdown();
    try {
      sender.awaitTermination(wait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    producer.close(wait);
  }
}
