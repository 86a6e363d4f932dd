package io.fluxbus.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("the gateway as a program")
class GatewayProcessTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final Pattern LISTENING = Pattern.compile("Fluxbus gateway on http://localhost:(\\d+)");

  private Process process;
  private final BlockingQueue<String> output = new LinkedBlockingQueue<>();

  @AfterEach
  void kill() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroyForcibly().waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }
  }

  @Test
  @DisplayName("on SIGTERM it drains the bus: an open stream gets the last event and ends, then the process exits")
  void sigtermDrainsTheBus() throws Exception {
    process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), Gateway.class.getName(), "--port", "0", "--host", "127.0.0.1")
        .redirectErrorStream(true)
        .start();
    Thread reader = new Thread(this::readOutput, "gateway-output");
    reader.setDaemon(true);
    reader.start();
    int port = Integer.parseInt(awaitLine(LISTENING).group(1));
    GatewayClient client = new GatewayClient(port);

    RecordedStream stream = client.record("/events/%23").awaitReady();
    client.post("/events/orders.placed", "{\"last\": true}");

    process.toHandle().destroy();

    stream.awaitCompleted();
    assertThat(stream.events()).singleElement()
        .satisfies(m -> assertThat(m.json().get("data").get("last").asBoolean()).isTrue());
    assertThat(process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).as("the process exited").isTrue();
    assertThat(awaitLine(Pattern.compile("stopped; BusStats\\[published=1, delivered=1, dropped=0")).group())
        .isNotEmpty();
  }

  @Test
  @DisplayName("a bad flag exits with status 2 and prints what was wrong and the usage")
  void badFlagExits2() throws Exception {
    process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), Gateway.class.getName(), "--port", "eighty")
        .redirectErrorStream(true)
        .start();

    assertThat(process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    String printed = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.exitValue()).isEqualTo(2);
    assertThat(printed).contains("--port: 'eighty' is not a port", "usage: fluxbus-gateway");
  }

  private void readOutput() {
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(),
        StandardCharsets.UTF_8))) {
      String line;
      while ((line = lines.readLine()) != null) {
        output.add(line);
      }
    } catch (IOException e) {
      output.add("(output unreadable: " + e + ")");
    }
  }

  private Matcher awaitLine(Pattern pattern) throws InterruptedException {
    StringBuilder seen = new StringBuilder();
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      String line = output.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (line == null) {
        break;
      }
      seen.append(line).append('\n');
      Matcher matcher = pattern.matcher(line);
      if (matcher.find()) {
        return matcher;
      }
    }
    throw new AssertionError("the gateway printed no line matching " + pattern + " within " + TIMEOUT
        + "; it printed:\n" + seen);
  }
}
