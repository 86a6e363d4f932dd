package io.fluxbus.redis;

import io.fluxbus.EventBus;
import io.fluxbus.test.ContractSettings;
import io.fluxbus.test.EventBusContract;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;

/**
 * The engine contract run against {@link RedisEventBus} in pub/sub mode on a real Redis. Each bus gets a namespace
 * of its own (under this class's prefix), so that buses of one test behave like separate memory buses; buses that
 * share a namespace and exchange events are {@link RedisPubSubCrossProcessTest}'s subject.
 */
@DisplayName("RedisEventBus (pub/sub) passes the engine contract")
class RedisPubSubContractTest extends EventBusContract {

  private static final String PREFIX = "contract-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
  private static final AtomicInteger BUSES = new AtomicInteger();

  @Override
  protected EventBus createBus(ContractSettings settings) {
    return RedisEventBus.builder()
        .url(RedisTestServer.url())
        .namespace(PREFIX + "-" + BUSES.incrementAndGet())
        .bufferSize(settings.bufferSize())
        .deliveryMode(settings.deliveryMode())
        .drainTimeout(settings.drainTimeout())
        .source(settings.source())
        .workers(2)
        .build();
  }
}
