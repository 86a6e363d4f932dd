package io.fluxbus.kafka;

import io.fluxbus.internal.Failures;
import io.fluxbus.internal.log.EngineEvents;
import java.time.Duration;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Tells a bus's lifecycle when the cluster stops answering and when it answers again, for its publishers and
 * readers alike (docs/architecture.md, "Lifecycle"). Kafka's clients do not say so themselves: a producer's sends
 * wait out an outage and a consumer's {@code poll} just returns nothing. So the session's admin client asks the
 * cluster for its nodes ({@code describeCluster}, one small metadata request) every {@link #every}; a request with no
 * answer within {@link #within} reports {@code ENGINE_DISCONNECTED} for {@code brokers <bootstrap servers>} (once per
 * outage, through {@link EngineEvents}), and the first answered one after that {@code ENGINE_RECONNECTED}. Requests
 * never overlap; the timer runs on the session's timers thread and never blocks it.
 */
final class BrokerProbe implements Disposable {

  private final Disposable running;

  private BrokerProbe(Disposable running) {
    this.running = running;
  }

  /** Starts probing {@code admin} on {@code timers}; dispose to stop. */
  static BrokerProbe start(Admin admin, KafkaSettings settings, EngineEvents events, Scheduler timers) {
    Duration every = every(settings);
    Duration within = within(settings);
    String component = "brokers " + settings.bootstrapServers();
    String afterwards = "publishes wait for them (up to the producer's delivery.timeout.ms), readers poll on and go "
        + "on from where they were once they answer";
    Disposable running = Flux.interval(every, every, timers)
        .onBackpressureDrop()
        // deferred, so that a request the client refuses at once is a failed pass, not the end of probing; and timed
        // out here too, so that a future the client never completes (a stalled I/O thread) cannot stop it
        .concatMap(tick -> events.pass(component, afterwards,
            Mono.defer(() -> GroupOffsets.mono(admin.describeCluster(new DescribeClusterOptions()
                    .timeoutMs((int) within.toMillis())).nodes()))
                .timeout(within.plusSeconds(1), timers), Failures::describe), 1)
        .subscribe();
    return new BrokerProbe(running);
  }

  /** How often the cluster is asked: a quarter of {@code connectTimeout}, at least every 5 s, at most every 100 ms. */
  static Duration every(KafkaSettings settings) {
    Duration quarter = settings.connectTimeout().dividedBy(4);
    return quarter.compareTo(Duration.ofMillis(100)) < 0 ? Duration.ofMillis(100)
        : quarter.compareTo(Duration.ofSeconds(5)) > 0 ? Duration.ofSeconds(5) : quarter;
  }

  /** How long one request may go unanswered before the cluster counts as unreachable: half of connectTimeout. */
  static Duration within(KafkaSettings settings) {
    return settings.connectTimeout().dividedBy(2);
  }

  @Override
  public void dispose() {
    running.dispose();
  }

  @Override
  public boolean isDisposed() {
    return running.isDisposed();
  }
}
