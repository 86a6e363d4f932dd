package io.fluxbus.spring;

import static io.fluxbus.spring.FluxbusAutoConfigurationTest.rootCause;
import static org.assertj.core.api.Assertions.assertThat;

import io.fluxbus.Event;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

@DisplayName("@FluxbusListener mistakes fail startup naming the method")
class ListenerFailuresTest {

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(FluxbusAutoConfiguration.class));

  static class TwoParameters {
    @FluxbusListener(pattern = "a.b")
    Mono<Void> handle(Event<Object> event, String extra) {
      return Mono.empty();
    }
  }

  static class ReturnsString {
    @FluxbusListener(pattern = "a.b")
    String handle(Event<Object> event) {
      return "";
    }
  }

  static class MonoOfString {
    @FluxbusListener(pattern = "a.b")
    Mono<String> handle(Event<Object> event) {
      return Mono.empty();
    }
  }

  static class FluxOfPayloads {
    @FluxbusListener(pattern = "a.b")
    Flux<?> handle(Flux<String> payloads) {
      return payloads;
    }
  }

  static class BadPattern {
    @FluxbusListener(pattern = "orders..#")
    Mono<Void> handle(Event<Object> event) {
      return Mono.empty();
    }
  }

  static class SyncConcurrency {
    @FluxbusListener(pattern = "a.b", async = false, concurrency = 4)
    Mono<Void> handle(Event<Object> event) {
      return Mono.empty();
    }
  }

  static class BadBackoff {
    @FluxbusListener(pattern = "a.b", maxAttempts = 3, firstBackoff = "soon")
    Mono<Void> handle(Event<Object> event) {
      return Mono.empty();
    }
  }

  static class Fine {
    @FluxbusListener(pattern = "a.b", id = "fine")
    Mono<Void> handle(Event<Object> event) {
      return Mono.empty();
    }
  }

  @Test
  @DisplayName("a signature that is not accepted names the method and lists the accepted ones")
  void badSignatures() {
    runner.withBean(TwoParameters.class).run(context -> assertThat(rootCause(context.getStartupFailure()))
        .hasMessageContaining("@FluxbusListener " + TwoParameters.class.getName() + ".handle(Event, String)")
        .hasMessageContaining("takes 2 parameters")
        .hasMessageContaining("accepted: Mono<Void> m(Event<T>)"));
    runner.withBean(ReturnsString.class).run(context -> assertThat(rootCause(context.getStartupFailure()))
        .hasMessageContaining(ReturnsString.class.getName() + ".handle(Event)")
        .hasMessageContaining("returns java.lang.String"));
    runner.withBean(MonoOfString.class).run(context -> assertThat(rootCause(context.getStartupFailure()))
        .hasMessageContaining("returns Mono<String>; a handler returns Mono<Void>"));
    runner.withBean(FluxOfPayloads.class).run(context -> assertThat(rootCause(context.getStartupFailure()))
        .hasMessageContaining("a pipeline takes Flux<Event<T>>, not Flux<java.lang.String>"));
  }

  @Test
  @DisplayName("an invalid pattern names the method and says what is wrong with the pattern")
  void badPattern() {
    runner.withBean(BadPattern.class).run(context -> assertThat(rootCause(context.getStartupFailure()))
        .hasMessageContaining(BadPattern.class.getName() + ".handle(Event)")
        .hasMessageContaining("pattern: ")
        .hasMessageContaining("orders..#"));
  }

  @Test
  @DisplayName("invalid settings name the method and the setting")
  void badSettings() {
    runner.withBean(SyncConcurrency.class).run(context -> assertThat(rootCause(context.getStartupFailure()))
        .hasMessageContaining("concurrency 4 applies to async handlers only"));
    runner.withBean(BadBackoff.class).run(context -> assertThat(rootCause(context.getStartupFailure()))
        .hasMessageContaining("firstBackoff: 'soon' is not a duration"));
  }

  static class SameIdTwice {
    @FluxbusListener(pattern = "a.b", id = "twice")
    Mono<Void> first(Event<Object> event) {
      return Mono.empty();
    }

    @FluxbusListener(pattern = "a.c", id = "twice")
    Mono<Void> second(Event<Object> event) {
      return Mono.empty();
    }
  }

  @Test
  @DisplayName("two listeners with one id fail startup naming both methods")
  void duplicateId() {
    runner.withBean(SameIdTwice.class).run(context -> assertThat(rootCause(context.getStartupFailure()))
        .hasMessageContaining("id 'twice' is taken by")
        .hasMessageContaining(SameIdTwice.class.getName() + ".first(Event)")
        .hasMessageContaining(SameIdTwice.class.getName() + ".second(Event)"));
  }

  @Test
  @DisplayName("fluxbus.listeners.<id> naming no listener fails startup listing the ids")
  void unknownListenerId() {
    runner.withBean(Fine.class).withPropertyValues("fluxbus.listeners.fnie.max-attempts=2")
        .run(context -> assertThat(rootCause(context.getStartupFailure()))
            .hasMessage("fluxbus.listeners.fnie: no @FluxbusListener has the id 'fnie'; listener ids: [fine]"));
    runner.withBean(Fine.class).withPropertyValues("fluxbus.listeners.fine.max-attempts=0")
        .run(context -> assertThat(rootCause(context.getStartupFailure()))
            .hasMessageContaining("fluxbus.listeners[fine]: max-attempts: maxAttempts must be 1 or more, got 0"));
  }
}
