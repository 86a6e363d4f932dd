package io.fluxbus.examples.webflux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fluxbus.BusNotStartedException;
import io.fluxbus.router.EngineRouter;
import io.fluxbus.examples.webflux.OrderEvents.OrderPlaced;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Flux;

@DisplayName("the Spring WebFlux application's shutdown")
class ShutdownTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  @Test
  @DisplayName("closing the application stops the bus first: open streams end, so the server need not wait for them")
  void closingStopsTheBusAndEndsStreams() throws Exception {
    ConfigurableApplicationContext application = WebfluxApplications.start();
    WebTestClient client = WebfluxApplications.client(application, TIMEOUT);
    EngineRouter bus = application.getBean(EngineRouter.class);
    Flux<ServerSentEvent<OrderPlaced>> stream = client.get().uri("/orders/stream")
        .accept(MediaType.TEXT_EVENT_STREAM)
        .exchange()
        .returnResult(new ParameterizedTypeReference<ServerSentEvent<OrderPlaced>>() { })
        .getResponseBody();

    CompletableFuture<List<ServerSentEvent<OrderPlaced>>> received = stream.collectList().toFuture();

    application.close();

    assertThat(received.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).singleElement()
        .satisfies(sse -> assertThat(sse.comment()).isEqualTo("subscribed to orders.placed"));
    assertThatThrownBy(() -> bus.publish(OrderEvents.PLACED, "late").block(TIMEOUT))
        .isInstanceOf(BusNotStartedException.class);
    assertThat(application.isActive()).isFalse();
  }
}
