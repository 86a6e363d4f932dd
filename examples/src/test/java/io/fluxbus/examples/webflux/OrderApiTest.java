package io.fluxbus.examples.webflux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fluxbus.Event;
import io.fluxbus.router.EngineRouter;
import io.fluxbus.examples.webflux.OrderEvents.CustomerTotal;
import io.fluxbus.examples.webflux.OrderEvents.OrderAccepted;
import io.fluxbus.examples.webflux.OrderEvents.OrderFlagged;
import io.fluxbus.examples.webflux.OrderEvents.OrderPlaced;
import io.fluxbus.examples.webflux.OrderEvents.OrderRequest;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/**
 * The application started as {@code main} starts it, on a free port, and exercised over HTTP with
 * {@link WebTestClient}. Not {@code @SpringBootTest}: Spring Framework 7's {@code SpringExtension} needs JUnit 6, and
 * the project tests on JUnit 5.
 */
@DisplayName("the Spring WebFlux application with an embedded bus")
class OrderApiTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private static ConfigurableApplicationContext application;
  private static WebTestClient client;
  private static EngineRouter bus;

  @BeforeAll
  static void start() {
    application = WebfluxApplications.start("orders.flag-threshold=500");
    client = WebfluxApplications.client(application, TIMEOUT);
    bus = application.getBean(EngineRouter.class);
  }

  @AfterAll
  static void stop() {
    application.close();
  }

  private WebTestClient.ResponseSpec post(OrderRequest order) {
    return client.post().uri("/orders").contentType(MediaType.APPLICATION_JSON).bodyValue(order).exchange();
  }

  @Test
  @DisplayName("the bus is a bean built from the application's YAML file, started")
  void busIsABean() {
    assertThat(bus.engineNames()).containsExactly("memory");
    assertThat(bus.topics()).contains(OrderEvents.PLACED);
  }

  @Test
  @DisplayName("POST /orders publishes orders.placed keyed by customer and answers 202 with the event id")
  void postPublishes() {
    AtomicReference<OrderAccepted> accepted = new AtomicReference<>();

    StepVerifier.create(bus.subscribe(OrderEvents.PLACED, OrderPlaced.class).take(1))
        .then(() -> accepted.set(post(new OrderRequest("ada", "book", 2, 40.0))
            .expectStatus().isAccepted()
            .expectBody(OrderAccepted.class).returnResult().getResponseBody()))
        .assertNext(event -> {
          assertThat(event.key()).isEqualTo("ada");
          assertThat(event.source()).isEqualTo("orders-webflux");
          assertThat(event.payload()).extracting(OrderPlaced::customer, OrderPlaced::sku, OrderPlaced::quantity)
              .containsExactly("ada", "book", 2);
        })
        .expectComplete()
        .verify(TIMEOUT);
    assertThat(accepted.get().eventId()).isNotBlank();
    assertThat(accepted.get().delivered()).isGreaterThanOrEqualTo(3);
  }

  @Test
  @DisplayName("an order without a customer or with quantity 0 is a 400 and publishes nothing")
  void badOrderIs400() {
    long published = bus.stats().published();

    post(new OrderRequest(" ", "book", 1, 10.0)).expectStatus().isBadRequest()
        .expectBody().jsonPath("$.message").value(message -> assertThat((String) message)
            .contains("an order needs a customer", "customer= "));
    post(new OrderRequest("ada", "book", 0, 10.0)).expectStatus().isBadRequest();

    assertThat(bus.stats().published()).isEqualTo(published);
  }

  @Test
  @DisplayName("GET /orders/stream streams placed orders of one customer as Server-Sent Events")
  void streamsOrders() {
    // exchange() returns with the response headers, which follow the subscribed comment: the stream is live
    Flux<ServerSentEvent<OrderPlaced>> stream = client.get().uri("/orders/stream?customer=grace")
        .accept(MediaType.TEXT_EVENT_STREAM)
        .exchange()
        .expectStatus().isOk()
        .returnResult(new ParameterizedTypeReference<ServerSentEvent<OrderPlaced>>() { })
        .getResponseBody();

    post(new OrderRequest("linus", "lamp", 1, 25.0)).expectStatus().isAccepted();
    post(new OrderRequest("grace", "piano", 1, 900.0)).expectStatus().isAccepted();
    post(new OrderRequest("grace", "book", 1, 15.0)).expectStatus().isAccepted();

    StepVerifier.create(stream.take(3))
        .assertNext(sse -> assertThat(sse.comment()).isEqualTo("subscribed to orders.placed"))
        .assertNext(sse -> {
          assertThat(sse.event()).isEqualTo(OrderEvents.PLACED);
          assertThat(sse.id()).isNotBlank();
          assertThat(sse.data().sku()).isEqualTo("piano");
        })
        .assertNext(sse -> assertThat(sse.data().sku()).isEqualTo("book"))
        .expectComplete()
        .verify(TIMEOUT);
  }

  @Test
  @DisplayName("a pipeline flags big orders as orders.flagged, caused by the order's event")
  void pipelineFlagsBigOrders() {
    AtomicReference<Event<OrderPlaced>> placed = new AtomicReference<>();
    bus.subscribe(OrderEvents.PLACED, OrderPlaced.class).filter(e -> e.payload().customer().equals("alan"))
        .take(1).subscribe(placed::set);

    StepVerifier.create(bus.subscribe(OrderEvents.FLAGGED, OrderFlagged.class).take(1))
        .then(() -> {
          post(new OrderRequest("alan", "book", 1, 20.0)).expectStatus().isAccepted();
          post(new OrderRequest("alan", "yacht", 1, 5_000.0)).expectStatus().isAccepted();
        })
        .assertNext(flagged -> {
          assertThat(flagged.payload().customer()).isEqualTo("alan");
          assertThat(flagged.payload().reason()).contains("5000.0", "500.0");
          assertThat(flagged.key()).isEqualTo("alan");
        })
        .expectComplete()
        .verify(TIMEOUT);
  }

  @Test
  @DisplayName("a scan pipeline keeps running totals per customer, served by GET /customers/{customer}")
  void customerTotals() {
    post(new OrderRequest("barbara", "book", 1, 10.0)).expectStatus().isAccepted();
    post(new OrderRequest("barbara", "lamp", 1, 32.5)).expectStatus().isAccepted();

    await().atMost(TIMEOUT).untilAsserted(() -> client.get().uri("/customers/barbara").exchange()
        .expectStatus().isOk()
        .expectBody(CustomerTotal.class).isEqualTo(new CustomerTotal("barbara", 2, 42.5)));
    client.get().uri("/customers/nobody").exchange().expectStatus().isNotFound();
  }
}
