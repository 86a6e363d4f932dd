package io.fluxbus.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;

@DisplayName("/health, /stats, /metrics and the dashboard's files")
class GatewayStatusTest {

  private Gateway gateway;
  private GatewayClient client;

  @BeforeEach
  void start() {
    // the configuration file users are pointed to: two engines and a routing table
    gateway = Gateway.start(TestGateways.settings().withConfig(Path.of("config/gateway.yaml")))
        .block(GatewayClient.TIMEOUT);
    client = new GatewayClient(gateway);
  }

  @AfterEach
  void stop() {
    gateway.stop().block(GatewayClient.TIMEOUT);
  }

  @Test
  @DisplayName("/health is 200 UP with every engine while the bus runs")
  void healthIsUp() {
    GatewayClient.Answer health = client.get("/health");

    assertThat(health.status()).isEqualTo(200);
    assertThat(health.json().get("status").asText()).isEqualTo("UP");
    assertThat(health.json().get("engines").get("fast").asText()).isEqualTo("UP");
    assertThat(health.json().get("engines").get("orders").asText()).isEqualTo("UP");
  }

  @Test
  @DisplayName("/stats counts per engine, lists topics with their engine and subscriber count, and patterns")
  void statsPerEngine() {
    Disposable stream = client.events("/events/orders.%23?group=billing").subscribe();
    await().atMost(GatewayClient.TIMEOUT).until(() -> gateway.bus().subscriberCount("orders.placed") == 1);
    client.post("/events/orders.placed", "{\"n\": 1}");
    client.post("/events/orders.placed", "{\"n\": 2}");
    client.post("/events/clicks.home", "{}");

    JsonNode stats = client.get("/stats").json();
    stream.dispose();

    assertThat(engine(stats, "orders").get("published").asLong()).isEqualTo(2);
    assertThat(engine(stats, "fast").get("published").asLong()).isEqualTo(1);
    assertThat(stats.get("total").get("published").asLong()).isEqualTo(3);
    JsonNode orders = stats.get("topics").get(0);
    assertThat(orders.get("topic").asText()).isEqualTo("orders.placed");
    assertThat(orders.get("engine").asText()).isEqualTo("orders");
    assertThat(orders.get("subscribers").asInt()).isEqualTo(1);
    assertThat(orders.get("published").asLong()).isEqualTo(2);
    JsonNode pattern = stats.get("patterns").get(0);
    assertThat(pattern.get("pattern").asText()).isEqualTo("orders.#");
    assertThat(pattern.get("engines")).extracting(JsonNode::asText).containsExactly("orders");
    assertThat(pattern.get("streams").asInt()).isEqualTo(1);
  }

  @Test
  @DisplayName("/metrics is Prometheus text with the fluxbus_ meters of every engine")
  void metricsScrape() {
    client.post("/events/orders.placed", "{}");

    GatewayClient.Answer metrics = client.get("/metrics");

    assertThat(metrics.status()).isEqualTo(200);
    assertThat(metrics.contentType()).startsWith("text/plain");
    assertThat(metrics.body()).contains(
        "fluxbus_events_published_total{engine=\"orders\"} 1.0",
        "fluxbus_events_published_total{engine=\"fast\"} 0.0",
        "fluxbus_events_delivered_total{engine=\"orders\"}",
        "fluxbus_events_dropped_total{engine=\"orders\",reason=\"buffer_full\"}",
        "fluxbus_events_failed_total{engine=\"fast\"}",
        "fluxbus_gateway_streams");
  }

  @Test
  @DisplayName("/ serves the dashboard page and its script and style; other files are 404")
  void dashboardFiles() {
    GatewayClient.Answer page = client.get("/");

    assertThat(page.status()).isEqualTo(200);
    assertThat(page.contentType()).startsWith("text/html");
    assertThat(page.body()).contains("<script src=\"assets/dashboard.js\">", "id=\"tail\"", "id=\"engines\"");
    assertThat(client.get("/assets/dashboard.js").contentType()).startsWith("text/javascript");
    assertThat(client.get("/assets/dashboard.css").contentType()).startsWith("text/css");
    assertThat(client.get("/assets/secret.txt").status()).isEqualTo(404);
  }

  private static JsonNode engine(JsonNode stats, String name) {
    List<JsonNode> engines = StreamSupport.stream(stats.get("engines").spliterator(), false)
        .filter(e -> e.get("name").asText().equals(name)).toList();
    assertThat(engines).as("engine %s in %s", name, stats).hasSize(1);
    return engines.get(0);
  }
}
