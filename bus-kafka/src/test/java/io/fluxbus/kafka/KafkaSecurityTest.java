package io.fluxbus.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.fluxbus.EngineUnavailableException;
import io.fluxbus.Event;
import io.fluxbus.SubscribeOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * The engine against a secured broker: the embedded broker's SASL PLAIN listeners, over plaintext and over TLS with
 * a certificate made at test time ({@link KafkaTestServer#secured()}). Runs only on the embedded broker, the one
 * with those listeners.
 */
@DisplayName("Kafka: SASL PLAIN and SASL over TLS against a secured broker")
class KafkaSecurityTest {

  private static final String PREFIX = "secured-" + System.nanoTime();
  private static final Duration WAIT = Duration.ofSeconds(60);
  private final List<KafkaEventBus> buses = new ArrayList<>();
  private KafkaTestServer.Secured secured;

  @BeforeEach
  void securedBroker() {
    secured = KafkaTestServer.secured();
    Assumptions.assumeTrue(secured != null, "needs the embedded broker, which has the secured listeners");
  }

  @AfterEach
  void stop() {
    buses.forEach(bus -> bus.stop().onErrorResume(e -> Mono.empty()).block(WAIT));
  }

  @AfterAll
  static void deleteTopics() {
    KafkaTestServer.deleteTopics(PREFIX);
  }

  @Test
  @DisplayName("SASL_PLAINTEXT with the right password: a group and a plain subscriber get what is published")
  void saslPlaintextPublishesAndConsumes() {
    // catches: credentials not handed to every client (the producer, the admin client, the tail, a group member)
    KafkaEventBus bus = bus(KafkaEventBus.builder().bootstrapServers(secured.saslPlaintext())
        .namespace(PREFIX + "-plain").sasl("PLAIN", secured.username(), secured.password()));
    publishesAndConsumes(bus);
    assertThat(bus.toString()).contains("SASL_PLAINTEXT").doesNotContain(secured.password());
  }

  @Test
  @DisplayName("SASL_SSL with the right password and a trust store: a group and a plain subscriber get it")
  void saslSslPublishesAndConsumes() {
    // catches: the trust store not handed to every client, or TLS not switched on by a trust store
    KafkaEventBus bus = bus(KafkaEventBus.builder().bootstrapServers(secured.saslSsl())
        .namespace(PREFIX + "-tls").sasl("PLAIN", secured.username(), secured.password())
        .trustStore(secured.trustStore(), secured.trustStorePassword(), "PKCS12"));
    publishesAndConsumes(bus);
    assertThat(bus.toString()).contains("SASL_SSL").contains(secured.trustStore().toString())
        .doesNotContain(secured.password()).doesNotContain(secured.trustStorePassword());
  }

  @Test
  @DisplayName("a wrong password fails start() with EngineUnavailableException naming the authentication, not it")
  void aWrongPasswordIsNamedWithoutThePassword() {
    // catches: a start that hangs until connectTimeout without saying why, an untyped error, or the JAAS line (with
    // the password) in the message or the causes' messages
    String wrong = "wrong-" + secured.password();
    KafkaEventBus bus = KafkaEventBus.builder().bootstrapServers(secured.saslPlaintext()).namespace(PREFIX + "-wrong")
        .sasl("PLAIN", secured.username(), wrong).build();
    Throwable failed = catchThrowable(() -> bus.start().block(WAIT));
    assertThat(failed).isInstanceOf(EngineUnavailableException.class)
        .hasMessageContaining(secured.saslPlaintext()).hasMessageContaining("Authentication failed");
    StringWriter trace = new StringWriter();
    failed.printStackTrace(new PrintWriter(trace));
    assertThat(trace.toString()).doesNotContain(wrong);
    assertThat(bus.toString()).contains("'" + secured.username() + "'").doesNotContain(wrong);
  }

  @Test
  @DisplayName("TLS without the broker's certificate in the trust store fails start() naming the handshake")
  void anUntrustedCertificateIsNamed() {
    // catches: a client that trusts any certificate, or one that waits out connectTimeout without saying why
    KafkaEventBus bus = KafkaEventBus.builder().bootstrapServers(secured.saslSsl()).namespace(PREFIX + "-untrusted")
        .sasl("PLAIN", secured.username(), secured.password()).tls(true).build();
    Throwable failed = catchThrowable(() -> bus.start().block(WAIT));
    assertThat(failed).isInstanceOf(EngineUnavailableException.class).hasMessageContaining("SSL handshake failed");
    assertThat(failed.getMessage()).doesNotContain(secured.password());
  }

  private void publishesAndConsumes(KafkaEventBus bus) {
    Set<Object> grouped = ConcurrentHashMap.newKeySet();
    Set<Object> plain = ConcurrentHashMap.newKeySet();
    bus.subscribe("order.*", SubscribeOptions.defaults().group("billing"),
        event -> Mono.fromRunnable(() -> grouped.add(event.payload()))).block(WAIT);
    bus.subscribe("order.*", event -> Mono.fromRunnable(() -> plain.add(event.payload()))).block(WAIT);
    bus.publish(Event.builder("order.placed", (Object) "secret-order").key("k").build()).block(WAIT);
    await().atMost(WAIT).until(() -> grouped.contains("secret-order") && plain.contains("secret-order"));
  }

  private KafkaEventBus bus(KafkaEventBusBuilder builder) {
    KafkaEventBus bus = builder.partitions(2).sessionTimeout(Duration.ofSeconds(3)).pollTimeout(Duration.ofMillis(50))
        .connectTimeout(Duration.ofSeconds(15)).build();
    bus.start().block(WAIT);
    buses.add(bus);
    return bus;
  }
}
