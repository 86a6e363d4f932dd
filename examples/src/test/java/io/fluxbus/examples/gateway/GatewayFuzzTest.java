package io.fluxbus.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Random requests and WebSocket frames against a real gateway on loopback, seeded and bounded: the seed is
 * {@code -Dfluxbus.fuzz.seed} (printed on failure), 2,000 requests and 400 frames.
 */
@DisplayName("fuzz: random requests and frames never get a 5xx, 4xx answers are JSON, the gateway stays healthy")
class GatewayFuzzTest {

  private static final long SEED = Long.getLong("fluxbus.fuzz.seed", 13L);
  private static final int REQUESTS = 2_000;
  private static final int FRAMES = 400;

  private static final String[] METHODS = {"GET", "POST", "POST", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH"};
  private static final String[] PATHS = {"/events/", "/events/", "/events/", "/health", "/stats", "/metrics", "/",
      "/assets/", "/ws", "/nothing", ""};
  private static final String[] PIECES = {"orders", "placed", ".", ".", "*", "#", "%23", "%2A", "%", "%Z", "%ZZ",
      "%00", "%1B", "%7F", "%FF", "%C3%A9", "%C3", "%ED%A0%80", "é", "+", " ", "..", "a", "\u0001", "~", "?",
      "?group=", "?group=%", "?lastEventId=", "&", "=", ";", "\"", "\\", "<", ">", "x".repeat(300)};
  private static final String[] HEADERS = {"Content-Type: application/json", "Content-Type: text/plain",
      "Content-Type: application/cloudevents+json", "Fluxbus-Key: ", "Fluxbus-Version: ", "Fluxbus-Correlation-Id: ",
      "Last-Event-ID: ", "Accept: ", "X-", "Transfer-Encoding: gzip", "Expect: 100-continue", "Origin: ",
      "ce-specversion: 1.0", "ce-specversion: ", "ce-id: ", "ce-source: ", "ce-type: orders.placed", "ce-type: ",
      "ce-time: ", "ce-eventversion: ", "ce-partitionkey: ", "ce-", "CE-Tenant: ", "ce-data: ", "ce-x%: "};
  private static final String[] BODIES = {"{}", "{\"a\":1}", "[1,2,3]", "\"text\"", "42", "true", "null", "",
      "{", "{\"a\":", "{} {}", "{\"x\":1e400}", "{\"x\":1,\"x\":2}", "[".repeat(200) + "]".repeat(200),
      "{\"a\":\"\\ud800\"}", "\u0000", "\u00ff\u00fe", "NaN", "{'a':1}"};

  private Gateway gateway;
  private Random random;

  @BeforeEach
  void start() {
    gateway = Gateway.start(TestGateways.settings().withIdleTimeout(Duration.ofMillis(300))
        .withRequestTimeout(Duration.ofMillis(300))).block(GatewayClient.TIMEOUT);
    random = new Random(SEED);
  }

  @AfterEach
  void stop() {
    gateway.stop().block(GatewayClient.TIMEOUT);
  }

  /** Catches any input reaching a 500 (malformed escapes did) or an empty 4xx (431 and 414 were). */
  @Test
  @DisplayName("random request lines, headers and bodies")
  void randomRequests() throws IOException {
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < REQUESTS && problems.size() < 10; i++) {
      byte[] request = request();
      String answer = exchange(request);
      String problem = judge(answer, request[0] == 'H');
      if (problem != null) {
        problems.add("seed " + SEED + ", request " + i + ": " + problem + "\n  request: "
            + new String(request, StandardCharsets.ISO_8859_1).replace("\r\n", "\\r\\n"));
      }
    }

    assertThat(problems).isEmpty();
    assertThat(new GatewayClient(gateway).get("/health").status()).isEqualTo(200);
  }

  /**
   * Catches a frame that breaks the gateway rather than only its own connection; frames and fragmented messages
   * over the limit are among them.
   */
  @Test
  @DisplayName("random WebSocket frames")
  void randomFrames() {
    RawSocket socket = null;
    for (int i = 0; i < FRAMES; i++) {
      try {
        // a fresh socket now and then: one closed for a violation drains what it is sent, so writes still succeed
        if (socket != null && i % 20 == 0) {
          socket.close();
          socket = null;
        }
        if (socket == null) {
          socket = new RawSocket(gateway.port()).upgrade();
        }
        socket.write(frame());
      } catch (IOException closedByTheGateway) {
        if (socket != null) {
          socket.close();
        }
        socket = null;
      }
    }
    if (socket != null) {
      socket.close();
    }

    assertThat(new GatewayClient(gateway).get("/health").status()).isEqualTo(200);
    try (SocketTestClient client = new SocketTestClient("ws://127.0.0.1:" + gateway.port() + "/ws")) {
      client.send("{\"type\":\"publish\",\"id\":\"p\",\"topic\":\"still.works\",\"payload\":{}}");
      assertThat(client.next(GatewayClient.TIMEOUT).get("type").asText()).isEqualTo("published");
    }
  }

  private byte[] request() {
    StringBuilder target = new StringBuilder(pick(PATHS));
    for (int n = random.nextInt(6); n > 0; n--) {
      target.append(pick(PIECES));
    }
    String body = random.nextInt(4) == 0 ? randomText(random.nextInt(200)) : pick(BODIES);
    byte[] bodyBytes = body.getBytes(StandardCharsets.UTF_8);
    StringBuilder head = new StringBuilder(pick(METHODS)).append(' ').append(target).append(" HTTP/1.1\r\n")
        .append("Host: 127.0.0.1\r\nConnection: close\r\n");
    for (int n = random.nextInt(4); n > 0; n--) {
      String header = pick(HEADERS);
      head.append(header.endsWith(": ") || header.equals("X-") ? header + headerText() : header).append("\r\n");
    }
    if (random.nextInt(50) == 0) {
      head.append("X-Huge: ").append("h".repeat(20_000)).append("\r\n");
    }
    head.append("Content-Length: ").append(bodyBytes.length).append("\r\n\r\n");
    ByteArrayOutputStream request = new ByteArrayOutputStream();
    request.writeBytes(head.toString().getBytes(StandardCharsets.UTF_8));
    request.writeBytes(bodyBytes);
    return request.toByteArray();
  }

  private byte[] frame() {
    return switch (random.nextInt(8)) {
      case 0 -> RawSocket.frame(0x2, true, randomText(random.nextInt(100)).getBytes(StandardCharsets.UTF_8));
      case 1 -> RawSocket.frame(random.nextInt(16), random.nextBoolean(), new byte[random.nextInt(10)]);
      case 2 -> RawSocket.frame(0x9, true, new byte[] {1, 2});
      case 3 -> RawSocket.frame(0x1, true, new byte[] {(byte) 0xC3, (byte) 0x28});
      case 4 -> RawSocket.frame(random.nextInt(3), random.nextBoolean(),
          new byte[TestGateways.MAX_BODY - 100 + random.nextInt(TestGateways.MAX_BODY)]);
      default -> RawSocket.frame(0x1, true, message().getBytes(StandardCharsets.UTF_8));
    };
  }

  private String message() {
    String[] types = {"publish", "subscribe", "unsubscribe", "shout", null};
    String[] fields = {"\"id\":" + jsonValue(), "\"topic\":" + jsonValue(), "\"pattern\":" + jsonValue(),
        "\"payload\":" + jsonValue(), "\"group\":" + jsonValue(), "\"version\":" + jsonValue(),
        "\"key\":" + jsonValue()};
    StringBuilder message = new StringBuilder("{");
    String type = types[random.nextInt(types.length)];
    message.append(type == null ? "\"type\":" + jsonValue() : "\"type\":\"" + type + "\"");
    for (int n = random.nextInt(5); n > 0; n--) {
      message.append(',').append(fields[random.nextInt(fields.length)]);
    }
    String text = message.append('}').toString();
    return random.nextInt(10) == 0 ? text.substring(0, random.nextInt(text.length())) : text;
  }

  private String jsonValue() {
    return switch (random.nextInt(6)) {
      case 0 -> "\"orders.placed\"";
      case 1 -> "\"orders.#\"";
      case 2 -> pick(BODIES).isEmpty() ? "1" : pick(BODIES);
      case 3 -> "\"" + randomText(random.nextInt(20)).replace("\\", "").replace("\"", "") + "\"";
      case 4 -> Integer.toString(random.nextInt());
      default -> "{\"n\":" + random.nextInt(10) + "}";
    };
  }

  private String headerText() {
    StringBuilder text = new StringBuilder();
    for (int n = random.nextInt(30); n > 0; n--) {
      char c = (char) (0x20 + random.nextInt(0x7F - 0x20));
      text.append(random.nextInt(20) == 0 ? (char) (0x80 + random.nextInt(0x80)) : c);
    }
    return text.toString().trim();
  }

  private String randomText(int length) {
    StringBuilder text = new StringBuilder();
    for (int n = 0; n < length; n++) {
      text.append((char) random.nextInt(random.nextBoolean() ? 0x80 : 0x800));
    }
    return text.toString();
  }

  private String pick(String[] values) {
    return values[random.nextInt(values.length)];
  }

  /** Sends and reads the answer: a stream's head only, anything else until the gateway closes. */
  private String exchange(byte[] request) throws IOException {
    try (RawSocket socket = new RawSocket(gateway.port())) {
      socket.write(request);
      String head = socket.readHead();
      if (head.toLowerCase(Locale.ROOT).contains("text/event-stream")) {
        return head;
      }
      return head + socket.readToEnd();
    }
  }

  /** What is wrong with an answer, or null: no answer at all is allowed (a connection closed on garbage). */
  private static String judge(String answer, boolean head) {
    if (answer.isEmpty()) {
      return null;
    }
    if (!answer.startsWith("HTTP/1.1 ")) {
      return "not an HTTP answer: " + answer;
    }
    int status = Integer.parseInt(answer.substring(9, 12));
    if (status >= 500) {
      return "status " + status + ": " + answer;
    }
    if (status >= 400 && !head) {
      try {
        if (!RawHttp.parse(answer).json().has("error")) {
          return "a " + status + " without an error code: " + answer;
        }
      } catch (RuntimeException e) {
        return "a " + status + " without a JSON body: " + answer;
      }
    }
    return null;
  }
}
