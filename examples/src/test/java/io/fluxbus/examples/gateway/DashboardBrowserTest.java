package io.fluxbus.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The dashboard in a real browser: headless Debian Chromium, driven over the DevTools protocol. Skipped only when
 * {@code /usr/bin/chromium} is not installed ({@code .ci/run} installs it).
 */
@DisplayName("the dashboard in headless Chromium")
class DashboardBrowserTest {

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private Path profile;
  private Gateway gateway;
  private Process browser;
  private DevTools devTools;

  @BeforeEach
  void start() throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(CHROMIUM), "Chromium is not installed at " + CHROMIUM
        + " (apt-get install -y chromium); the dashboard's browser check needs it");
    gateway = TestGateways.start();
    profile = Files.createTempDirectory("fluxbus-chromium-");
    browser = new ProcessBuilder(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--user-data-dir=" + profile, "--remote-debugging-port=0", "about:blank")
        .redirectErrorStream(true)
        .redirectOutput(profile.resolve("chromium.log").toFile())
        .start();
    Path activePort = profile.resolve("DevToolsActivePort");
    await().atMost(TIMEOUT).until(() -> {
      if (!browser.isAlive()) {
        throw new AssertionError("Chromium exited with " + browser.exitValue() + ":\n"
            + Files.readString(profile.resolve("chromium.log")));
      }
      return Files.exists(activePort) && Files.readAllLines(activePort).size() >= 2;
    });
    List<String> lines = Files.readAllLines(activePort);
    devTools = new DevTools("ws://127.0.0.1:" + lines.get(0).trim() + lines.get(1).trim(), TIMEOUT);
  }

  @AfterEach
  void stop() throws Exception {
    if (devTools != null) {
      try {
        devTools.call(null, "Browser.close", GatewayClient.JSON.createObjectNode());
      } catch (AssertionError closedAlready) {
        // the browser may drop the connection before it answers; the process checks below decide
      }
      devTools.close();
    }
    if (browser != null) {
      // Chromium's helper processes write into the profile until they exit: wait for all of them
      List<ProcessHandle> helpers = browser.descendants().toList();
      if (!browser.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        browser.destroyForcibly().waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      }
      for (ProcessHandle helper : helpers) {
        helper.destroy();
        helper.onExit().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      }
    }
    if (gateway != null) {
      gateway.stop().block(GatewayClient.TIMEOUT);
    }
    if (profile != null) {
      deleteQuietly(profile);
    }
  }

  /** Best effort: a profile left in the temp directory is untidy, not a failure of the dashboard. */
  private static void deleteQuietly(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    }
  }

  @Test
  @DisplayName("loads, shows the engine, tails '#' live and shows an event published over HTTP, with its topic")
  void showsAPublishedEvent() throws Exception {
    String page = devTools.open("http://127.0.0.1:" + gateway.port() + "/");
    await("the engines table shows the memory engine").atMost(TIMEOUT)
        .until(() -> text(page, "#engines tbody").contains("memory"));
    // the page's tail is a subscription on the bus once the stream is open
    await("the live tail is subscribed").atMost(TIMEOUT).until(() -> text(page, "#tail-state").startsWith("live")
        && gateway.bus().subscriberCount("dashboard.check") == 1);
    String marker = UUID.randomUUID().toString();

    GatewayClient.Answer published = new GatewayClient(gateway).post("/events/dashboard.check",
        "{\"marker\": \"" + marker + "\"}");

    assertThat(published.status()).isEqualTo(202);
    await("the tail shows the published event").atMost(TIMEOUT).until(() -> text(page, "#tail").contains(marker));
    assertThat(text(page, "#tail")).contains("dashboard.check", published.json().get("eventId").asText());
    await("the topics table lists the topic").atMost(TIMEOUT)
        .until(() -> text(page, "#topics tbody").contains("dashboard.check"));
    assertThat(text(page, "#health")).isEqualTo("UP");
    devTools.screenshot(page, Path.of("target", "dashboard.png"));
  }

  private String text(String page, String selector) {
    return devTools.evaluate(page, "(document.querySelector('" + selector + "') || {}).innerText || ''");
  }
}
