package io.fluxbus.kafka;

import io.fluxbus.internal.Failures;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The tail of the log: a consumer of no group, assigned every partition at its end when the session opened, on a
 * thread of its own, handing each event another bus (or a dead letter) appended to this bus's ordinary subscriptions
 * on the session's delivery thread, in log order per partition. Records this bus published itself are passed by: its
 * {@code publish} handed them on when the broker acknowledged them. A record that is not a readable event is
 * reported as dropped. A poll's events are all handed on before the next poll, so subscribers that wait (block mode)
 * hold the tail back rather than piling events up in memory.
 */
final class KafkaTail implements Disposable {

  private final KafkaSession session;
  private final KafkaConsumer<byte[], byte[]> kafka;
  private final Sinks.Empty<Void> ready = Sinks.empty();
  private final Sinks.Empty<Void> ended = Sinks.empty();
  private volatile boolean disposed;

  KafkaTail(KafkaSession session) {
    this.session = session;
    this.kafka = new KafkaConsumer<>(KafkaClients.consumer(session.settings(), "tail", session.origin(), null));
  }

  /** Starts the thread; completes once every partition's end is known, so that nothing appended later is missed. */
  Mono<Void> start() {
    Thread thread = new Thread(this::loop, "fluxbus-" + session.settings().engine() + "-kafka-tail");
    thread.setDaemon(true);
    thread.start();
    return ready.asMono();
  }

  private void loop() {
    try {
      List<TopicPartition> all = IntStream.range(0, session.partitions())
          .mapToObj(p -> new TopicPartition(session.settings().logTopic(), p)).toList();
      kafka.assign(all);
      kafka.seekToEnd(all);
      // seekToEnd is lazy: ask now, so that the end is that of the session's start, not of the first poll
      all.forEach(kafka::position);
    } catch (RuntimeException failed) {
      close();
      ready.tryEmitError(failed);
      return;
    }
    ready.tryEmitEmpty();
    try {
      while (!disposed) {
        ConsumerRecords<byte[], byte[]> records;
        try {
          records = kafka.poll(session.settings().pollTimeout());
        } catch (WakeupException woken) {
          continue;
        }
        List<CompletableFuture<?>> handedOn = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : records) {
          if (!session.origin().equals(BinaryCloudEvents.originOf(record.headers()))) {
            LogItem item = LogItem.of(record, session.records());
            if (item.event() == null) {
              session.events().dropped(null, item.where() + " is not a readable event: " + item.problem());
            } else {
              handedOn.add(session.local().publish(item.event(), session.delivery())
                  // the core refuses only while it stops, after the tail was told to stop: nobody local can take it
                  .onErrorResume(error -> Mono.empty()).toFuture());
            }
          }
        }
        await(handedOn);
      }
    } catch (RuntimeException failed) {
      session.events().disconnected("reading the log", Failures.describe(failed) + "; the tail stopped");
    } finally {
      close();
    }
  }

  private void await(List<CompletableFuture<?>> handedOn) {
    CompletableFuture<Void> all = CompletableFuture.allOf(handedOn.toArray(CompletableFuture[]::new));
    while (!disposed) {
      try {
        all.get(100, TimeUnit.MILLISECONDS);
        return;
      } catch (TimeoutException waitMore) {
        // subscribers without room: wait on, unless stopping
      } catch (ExecutionException | InterruptedException e) {
        return;
      }
    }
  }

  private void close() {
    try {
      kafka.close(Duration.ofSeconds(5));
    } catch (RuntimeException ignored) {
      // closing after the broker went away: nothing is left to release
    }
    ended.tryEmitEmpty();
  }

  /** Completes once the loop ended and the consumer closed. */
  Mono<Void> ended() {
    return ended.asMono();
  }

  @Override
  public void dispose() {
    disposed = true;
    try {
      kafka.wakeup();
    } catch (RuntimeException closed) {
      // ended already
    }
  }

  @Override
  public boolean isDisposed() {
    return disposed;
  }
}
