package io.fluxbus.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxbus.Event;
import java.util.concurrent.atomic.AtomicReference;
import reactor.core.Disposable;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("request targets: escapes and encodings")
class GatewayInputTest {

  private Gateway gateway;

  @BeforeEach
  void start() {
    gateway = TestGateways.start();
  }

  @AfterEach
  void stop() {
    gateway.stop().block(GatewayClient.TIMEOUT);
  }

  /** Catches decoding with Netty's lenient decoder, which throws IllegalArgumentException into a 500. */
  @ParameterizedTest(name = "{0} {1} is a 400 {2}")
  @CsvSource({
      "POST, /events/orders.%, invalid_escape",
      "GET, /events/orders.%, invalid_escape",
      "GET, /events/orders.%23?group=%, invalid_escape",
      "GET, /events/orders.%23?lastEventId=%, invalid_escape",
      "GET, /nothing%ZZ, invalid_escape",
      "GET, /health?x=%4, invalid_escape",
      "POST, /events/orders.%FF, invalid_utf8",
      "POST, /events/orders.%C3, invalid_utf8",
      "GET, /events/orders.%ED%A0%80, invalid_utf8"})
  void malformedTargetsAre400(String method, String target, String error) {
    GatewayClient.Answer answer = RawHttp.send(gateway.port(), method, target, method.equals("POST") ? "{}" : null,
        "Content-Type: application/json");

    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.contentType()).startsWith("application/json");
    assertThat(answer.json().get("error").asText()).isEqualTo(error);
    assertThat(answer.json().get("value").asText()).isEqualTo(target);
    assertThat(gateway.bus().stats().published()).isZero();
  }

  /** Catches topic rules that let control characters through: they were published and shown on the dashboard. */
  @ParameterizedTest(name = "{0} is a 400 invalid_topic")
  @CsvSource({"/events/orders.%00", "/events/orders.%1B%5B31mred", "/events/orders.%7F", "/events/orders.%C2%85"})
  void controlCharactersInTopicsAre400(String target) {
    GatewayClient.Answer answer = RawHttp.send(gateway.port(), "POST", target, "{}", "Content-Type: application/json");

    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.json().get("error").asText()).isEqualTo("invalid_topic");
    assertThat(answer.json().get("message").asText()).contains("control character");
    assertThat(gateway.bus().stats().published()).isZero();
  }

  /** Catches reading the request line as ISO-8859-1, which made {@code orders.é} the topic {@code orders.Ã©}. */
  @Test
  @DisplayName("a raw UTF-8 topic in the request line is read as UTF-8, like its escaped form")
  void rawUtf8InTheRequestLineIsUtf8() {
    AtomicReference<Event<Object>> received = new AtomicReference<>();
    Disposable subscription = gateway.bus().subscribe("orders.*").subscribe(received::set);

    GatewayClient.Answer raw = RawHttp.send(gateway.port(), "POST", "/events/orders.é", "{}",
        "Content-Type: application/json");
    String rawTopic = received.get().topic();
    GatewayClient.Answer escaped = RawHttp.send(gateway.port(), "POST", "/events/orders.%C3%A9", "{}",
        "Content-Type: application/json");

    subscription.dispose();
    assertThat(raw.status()).isEqualTo(202);
    assertThat(escaped.status()).isEqualTo(202);
    assertThat(rawTopic).isEqualTo("orders.é");
    assertThat(received.get().topic()).isEqualTo("orders.é");
  }

  /** Catches Reactor Netty's own answers to what its decoder refuses: right status, empty body. */
  @ParameterizedTest(name = "{0} is a {1} {2} with a JSON body")
  @CsvSource({"a 64 KB header, 431, headers_too_large", "a 64 KB URL, 414, uri_too_long",
      "a header without a colon, 400, malformed_request"})
  void unreadableRequestsGetJsonErrors(String what, int status, String error) {
    String big = "x".repeat(64 * 1024);
    GatewayClient.Answer answer = switch (status) {
      case 431 -> RawHttp.send(gateway.port(), "GET", "/health", null, "X-Big: " + big);
      case 414 -> RawHttp.send(gateway.port(), "GET", "/health?q=" + big, null);
      default -> RawHttp.send(gateway.port(), "GET", "/health", null, "NoColonHere");
    };

    assertThat(answer.status()).isEqualTo(status);
    assertThat(answer.contentType()).startsWith("application/json");
    assertThat(answer.json().get("error").asText()).isEqualTo(error);
    assertThat(new GatewayClient(gateway).get("/health").status()).isEqualTo(200);
  }
}
