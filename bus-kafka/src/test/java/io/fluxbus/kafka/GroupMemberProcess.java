package io.fluxbus.kafka;

import io.fluxbus.SubscribeOptions;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import reactor.core.publisher.Mono;

/**
 * A second process for {@link TwoProcessesTest}: a bus of its own (its own Kafka clients) that joins group
 * {@code billing} on {@code order.*} and prints one line per handled event, {@code handled <id> <key> <payload>}.
 * An event whose payload is {@code "hang"} is never finished. Prints {@code ready} once subscribed; stops when its
 * standard input closes.
 *
 * <p>Arguments: bootstrap servers, namespace.
 */
public final class GroupMemberProcess {

  private GroupMemberProcess() {}

  public static void main(String[] args) throws Exception {
    KafkaEventBus bus = KafkaEventBus.builder().bootstrapServers(args[0]).namespace(args[1]).partitions(4)
        .sessionTimeout(Duration.ofSeconds(1)).pollTimeout(Duration.ofMillis(20)).workers(2).build();
    bus.start().block(Duration.ofSeconds(30));
    bus.subscribe("order.*", SubscribeOptions.defaults().group("billing").async(true).concurrency(4), event -> {
      synchronized (System.out) {
        System.out.println("handled " + event.id() + " " + event.key() + " " + event.payload());
        System.out.flush();
      }
      return "hang".equals(event.payload()) ? Mono.never() : Mono.empty();
    }).block(Duration.ofSeconds(30));
    System.out.println("ready");
    System.out.flush();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
      while (in.readLine() != null) {
        // wait for the parent to close our input
      }
    }
    bus.stop().block(Duration.ofSeconds(30));
  }
}
