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

  /**
   * Opens the dashboard in a page laid out {@code width} pixels wide in {@code timeZone}, with its network log on,
   * and waits until its tail is live and its tables are filled.
   */
  private String openDashboard(int width, String timeZone) {
    String page = devTools.open("about:blank");
    devTools.call(page, "Network.enable", GatewayClient.JSON.createObjectNode());
    devTools.call(page, "Emulation.setDeviceMetricsOverride", GatewayClient.JSON.createObjectNode()
        .put("width", width).put("height", 844).put("deviceScaleFactor", 1).put("mobile", false));
    devTools.call(page, "Emulation.setTimezoneOverride", GatewayClient.JSON.createObjectNode()
        .put("timezoneId", timeZone));
    devTools.navigate(page, "http://127.0.0.1:" + gateway.port() + "/");
    await("the engines table shows the memory engine").atMost(TIMEOUT)
        .until(() -> text(page, "#engines tbody").contains("memory"));
    await("the live tail is open").atMost(TIMEOUT).until(() -> text(page, "#tail-state").startsWith("live"));
    return page;
  }

  /** Catches the old layout: a grid column of at least 420 px and unwrapped tables made the page scroll sideways. */
  @Test
  @DisplayName("at 390 px wide (a phone) nothing makes the page scroll sideways, with long values in tables and tail")
  void fitsA390PixelScreen() throws IOException {
    String page = openDashboard(390, "UTC");
    String topic = "dashboard.a-rather-long-topic-name.to-show-in-the-topics-table";
    String marker = UUID.randomUUID().toString();
    GatewayClient.Answer published = new GatewayClient(gateway).post("/events/" + topic, "{\"marker\": \""
        + marker + "\", \"blob\": \"" + "x".repeat(300) + "\"}");
    assertThat(published.status()).isEqualTo(202);
    await("the tail shows the event").atMost(TIMEOUT).until(() -> text(page, "#tail").contains(marker));
    await("the topics table lists the topic").atMost(TIMEOUT)
        .until(() -> text(page, "#topics tbody").contains(topic));

    int viewport = Integer.parseInt(devTools.evaluate(page, "document.documentElement.clientWidth"));
    int content = Integer.parseInt(devTools.evaluate(page, "document.documentElement.scrollWidth"));
    assertThat(viewport).isLessThanOrEqualTo(390).isGreaterThan(300);
    assertThat(content).as("the page's width at a %d px viewport", viewport).isLessThanOrEqualTo(viewport);
    devTools.saveScreenshot(page, Path.of("target", "dashboard-390.png"));
  }

  /** Catches the missing icon: every load asked for /favicon.ico and got a 404. */
  @Test
  @DisplayName("the page names an icon the gateway serves, /favicon.ico is an image too, and no request fails")
  void servesAFavicon() {
    String page = openDashboard(1280, "UTC");

    String icon = devTools.evaluate(page, "fetch(document.querySelector('link[rel~=icon]').href)"
        + ".then(r => r.status + ' ' + r.headers.get('content-type'))");
    GatewayClient.Answer ico = new GatewayClient(gateway).get("/favicon.ico");

    assertThat(icon).isEqualTo("200 image/svg+xml");
    assertThat(ico.status()).isEqualTo(200);
    assertThat(ico.contentType()).startsWith("image/");
    // not empty: noneMatch on no recorded responses (the Network domain not enabled, say) would pass unchecked
    assertThat(devTools.events("Network.responseReceived"))
        .map(event -> event.at("/params/response/status").asInt() + " " + event.at("/params/response/url").asText())
        .isNotEmpty()
        .anyMatch(response -> response.startsWith("200 ") && response.contains("/favicon"))
        .noneMatch(response -> response.startsWith("4") || response.startsWith("5"));
  }

  /** Catches the old tail, which showed only "closed" for a pattern the gateway refused, not why. */
  @Test
  @DisplayName("a pattern the gateway refuses shows the gateway's message, styled and announced as an error")
  void invalidTailPatternShowsTheGatewaysMessage() {
    String page = openDashboard(1280, "UTC");
    GatewayClient.Answer refused = new GatewayClient(gateway).get("/events/orders..x");
    assertThat(refused.status()).isEqualTo(400);
    String message = refused.json().get("message").asText();

    devTools.evaluate(page, "document.getElementById('tail-pattern').value = 'orders..x';"
        + "document.querySelector('#tail-form button').click(); 'submitted'");

    await("the tail shows why").atMost(TIMEOUT).until(() -> text(page, "#tail-error").contains(message));
    assertThat(text(page, "#tail-error")).contains("400", "invalid_pattern");
    assertThat(devTools.evaluate(page, "document.getElementById('tail-error').className")).contains("error");
    assertThat(devTools.evaluate(page, "document.getElementById('tail-error').getAttribute('role')"))
        .isEqualTo("alert");
  }

  /** Catches the old publish form, which showed a refusal in the same grey as a success. */
  @Test
  @DisplayName("a refused publish is shown as an error (class, colour, role=alert); a later success is not")
  void publishErrorsLookLikeErrors() {
    String page = openDashboard(1280, "UTC");
    String publish = "document.getElementById('publish-topic').value = '%s';"
        + "document.querySelector('#publish button').click(); 'submitted'";
    String result = "document.getElementById('publish-result')";

    devTools.evaluate(page, publish.formatted("orders..placed"));
    await("the refusal is shown").atMost(TIMEOUT)
        .until(() -> text(page, "#publish-result").contains("invalid_topic"));
    String errorColour = devTools.evaluate(page, "getComputedStyle(" + result + ").color");
    assertThat(devTools.evaluate(page, result + ".className")).contains("error");
    assertThat(devTools.evaluate(page, result + ".getAttribute('role')")).isEqualTo("alert");

    devTools.evaluate(page, publish.formatted("dashboard.check"));
    await("the success is shown").atMost(TIMEOUT).until(() -> text(page, "#publish-result").startsWith("published"));
    assertThat(devTools.evaluate(page, result + ".className")).doesNotContain("error");
    assertThat(devTools.evaluate(page, result + ".getAttribute('role') || 'none'")).isEqualTo("none");
    assertThat(devTools.evaluate(page, "getComputedStyle(" + result + ").color")).isNotEqualTo(errorColour);
  }

  /** Catches the old tail times: the UTC time of day, cut from the event, with nothing saying it was UTC. */
  @Test
  @DisplayName("tail times are the browser's local time, and the tail says which zone that is")
  void tailTimesNameTheirZone() {
    String page = openDashboard(1280, "Asia/Tokyo");
    String cloudEvent = "{\"specversion\":\"1.0\",\"id\":\"time-check\",\"source\":\"urn:test\","
        + "\"type\":\"dashboard.time\",\"time\":\"2026-01-02T03:04:05.678Z\",\"data\":{}}";
    GatewayClient client = new GatewayClient(gateway);
    GatewayClient.Answer published = client.send(java.net.http.HttpRequest.newBuilder(
            java.net.URI.create(client.url("/events/dashboard.time")))
        .header("Content-Type", "application/cloudevents+json")
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(cloudEvent)));
    assertThat(published.status()).isEqualTo(202);

    await("the tail shows the event").atMost(TIMEOUT).until(() -> text(page, "#tail").contains("time-check"));
    assertThat(devTools.evaluate(page, "document.querySelector('#tail li time').textContent"))
        .isEqualTo("12:04:05.678");
    assertThat(text(page, "#tail-zone")).contains("Asia/Tokyo", "UTC+09:00");
  }

  private String text(String page, String selector) {
    return devTools.evaluate(page, "(document.querySelector('" + selector + "') || {}).innerText || ''");
  }
}
