package io.fluxbus.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
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
}
