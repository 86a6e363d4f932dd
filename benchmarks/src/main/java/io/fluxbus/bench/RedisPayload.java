package io.fluxbus.bench;

import io.fluxbus.codec.EventCodec;
import java.nio.charset.StandardCharsets;

/**
 * Prints the CloudEvents JSON of {@link RedisPublishThroughput}'s event, so that {@code redis-benchmark} sends
 * entries of the same size as the engine does.
 */
public final class RedisPayload {

  private RedisPayload() {
  }

  /** Prints the JSON on one line. */
  public static void main(String[] args) {
    System.out.println(new String(EventCodec.json().encode(RedisPublishThroughput.event()), StandardCharsets.UTF_8));
  }
}
