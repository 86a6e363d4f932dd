package io.fluxbus.bench;

import com.lmax.disruptor.BlockingWaitStrategy;
import com.lmax.disruptor.EventTranslatorOneArg;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.dsl.Disruptor;
import com.lmax.disruptor.dsl.ProducerType;
import com.lmax.disruptor.util.DaemonThreadFactory;
import io.fluxbus.Event;
import java.util.concurrent.TimeUnit;

/**
 * The LMAX Disruptor with a ring of {@code capacity} slots and {@code BlockingWaitStrategy}: the consumer
 * parks when idle, as Fluxbus's workers do. Spinning strategies are left out on purpose: on 2 vCPUs they
 * win throughput only by burning the core the producer needs (see benchmarks/README.md, "Scenarios").
 * {@code ProducerType.SINGLE} for one producer, {@code MULTI} for more.
 */
final class DisruptorHandOff implements HandOff {

  private static final EventTranslatorOneArg<Slot, Event<?>> TRANSLATOR = (slot, sequence, event) -> slot.event = event;

  private final Disruptor<Slot> disruptor;
  private final RingBuffer<Slot> ring;

  DisruptorHandOff(int producers, int capacity, Receiver receiver) {
    disruptor = new Disruptor<>(Slot::new, capacity, DaemonThreadFactory.INSTANCE,
        producers > 1 ? ProducerType.MULTI : ProducerType.SINGLE, new BlockingWaitStrategy());
    disruptor.handleEventsWith((slot, sequence, endOfBatch) -> receiver.received());
    ring = disruptor.start();
  }

  @Override
  public Sender newSender() {
    return event -> ring.publishEvent(TRANSLATOR, event);
  }

  @Override
  public void close() {
    try {
      disruptor.shutdown(10, TimeUnit.SECONDS);
    } catch (com.lmax.disruptor.TimeoutException e) {
      disruptor.halt();
    }
  }

  /** A ring slot; the translator overwrites it in place, so publishing allocates nothing. */
  static final class Slot {
    Event<?> event;
  }
}
