package io.fluxbus.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fluxbus.Event;
import io.fluxbus.PublishResult;
import io.fluxbus.SubscribeOptions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A consumer group spanning two processes: this test's JVM and a child JVM ({@link GroupMemberProcess}), each with
 * its own bus and Kafka clients.
 */
@DisplayName("A consumer group spans two processes")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TwoProcessesTest {

  private static final String PREFIX = "processes-" + System.nanoTime();
  private static final Duration WAIT = Duration.ofSeconds(60);

  private record Handled(String process, String id, String key, String payload) {}

  private final Queue<Handled> handled = new ConcurrentLinkedQueue<>();
  private Process child;
  private KafkaEventBus bus;

  @AfterEach
  void stop() {
    if (child != null) {
      child.destroyForcibly();
    }
    if (bus != null) {
      bus.stop().block(WAIT);
    }
  }

  @AfterAll
  static void deleteTopics() {
    KafkaTestServer.deleteTopics(PREFIX);
  }

  @Test
  @DisplayName("each event is handled once by one of the processes, both work, and each key keeps its order")
  void aGroupSpansTwoProcesses() {
    // catches: members that do not share partitions (one process gets everything, or both get each event), and
    // lanes that reorder a key
    String namespace = PREFIX + "-share";
    startBoth(namespace);
    await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> {
      publish(16, "warm-up");
      return handled.stream().map(Handled::process).distinct().count() == 2;
    });
    List<String> ids = publish(400, "run");
    Set<String> published = Set.copyOf(ids);

    // warm-up events may still arrive: only the run's count
    await().atMost(WAIT).until(() -> handled.stream().map(Handled::id).filter(published::contains).distinct()
        .count() >= 400);
    List<Handled> run = handled.stream().filter(h -> published.contains(h.id())).toList();
    assertThat(run).extracting(Handled::id).as("each event once").containsExactlyInAnyOrderElementsOf(ids);
    assertThat(run).extracting(Handled::process).contains("parent", "child");
    Map<String, List<Integer>> byKey = new ConcurrentHashMap<>();
    Map<String, String> processOfKey = new ConcurrentHashMap<>();
    for (Handled h : run) {
      byKey.computeIfAbsent(h.key(), k -> new ArrayList<>()).add(Integer.parseInt(h.payload().split("-")[1]));
      assertThat(processOfKey.computeIfAbsent(h.key(), k -> h.process())).as("one process per key")
          .isEqualTo(h.process());
    }
    assertThat(byKey).hasSize(16).allSatisfy((key, order) -> assertThat(order).as("order of %s", key).isSorted());
  }

  @Test
  @DisplayName("a member killed mid-handler has its event handled by the other process")
  void aKilledMembersEventIsRedelivered() {
    // catches: committing an event that was only taken (it would be lost with the killed member)
    String namespace = PREFIX + "-kill";
    startBoth(namespace);
    await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> {
      publish(16, "warm-up");
      return handled.stream().map(Handled::process).distinct().count() == 2;
    });
    String key = handled.stream().filter(h -> h.process().equals("child")).findFirst().orElseThrow().key();
    String hung = bus.publish(Event.builder("order.placed", (Object) "hang").key(key).build()).block(WAIT).eventId();
    await().atMost(WAIT).until(() -> handled.contains(new Handled("child", hung, key, "hang")));

    child.destroyForcibly();

    await().atMost(WAIT).until(() -> handled.contains(new Handled("parent", hung, key, "hang")));
  }

  private void startBoth(String namespace) {
    bus = KafkaEventBus.builder().bootstrapServers(KafkaTestServer.bootstrap()).namespace(namespace).partitions(4)
        .sessionTimeout(Duration.ofSeconds(1)).pollTimeout(Duration.ofMillis(20)).linger(Duration.ZERO).workers(2)
        .build();
    bus.start().block(WAIT);
    bus.subscribe("order.*", SubscribeOptions.defaults().group("billing").async(true).concurrency(4),
        event -> Mono.fromRunnable(() -> handled.add(new Handled("parent", event.id(), event.key(),
            String.valueOf(event.payload()))))).block(WAIT);
    child = startChild(namespace);
  }

  private List<String> publish(int count, String label) {
    return Flux.range(0, count)
        .concatMap(i -> bus.publish(Event.builder("order.placed", (Object) (label + "-" + i)).key("k" + i % 16)
            .build()))
        .map(PublishResult::eventId)
        .collectList()
        .block(WAIT);
  }

  private Process startChild(String namespace) {
    try {
      Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
          GroupMemberProcess.class.getName(), KafkaTestServer.bootstrap(), namespace)
          .redirectError(ProcessBuilder.Redirect.DISCARD).start();
      BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      Queue<String> ready = new ConcurrentLinkedQueue<>();
      Thread reader = new Thread(() -> {
        try {
          String line;
          while ((line = out.readLine()) != null) {
            if (line.equals("ready")) {
              ready.add(line);
            } else if (line.startsWith("handled ")) {
              String[] parts = line.split(" ", 4);
              handled.add(new Handled("child", parts[1], parts[2], parts[3]));
            }
          }
        } catch (IOException ended) {
          // the child died
        }
      }, "child-output");
      reader.setDaemon(true);
      reader.start();
      await().atMost(WAIT).until(() -> !ready.isEmpty() || !process.isAlive());
      assertThat(process.isAlive()).as("the child process started").isTrue();
      return process;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
