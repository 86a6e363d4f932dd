package io.fluxbus.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.fluxbus.Event;
import io.fluxbus.EventBus;
import io.fluxbus.EventHandler;
import io.fluxbus.InvalidEventException;
import io.fluxbus.InvalidPatternException;
import io.fluxbus.InvalidTopicException;
import io.fluxbus.SubscribeOptions;
import io.fluxbus.Subscription;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Mono;

/**
 * Bad arguments fail at the call, before any {@code Mono} or {@code Flux} exists: typed exceptions for invalid
 * topics, patterns and payloads, {@link NullPointerException} for nulls.
 */
abstract class ArgumentValidationContract extends ContractPart {

  private static final EventHandler NOTHING = event -> Mono.empty();

  ArgumentValidationContract(BusFixture buses) {
    super(buses);
  }

  @ParameterizedTest(name = "topic ''{0}''")
  @ValueSource(strings = {"", ".", "a..b", ".a", "a.", "a b", "a\tb", "a\u0000b", "orders.\u001b[31mred", "a\u007fb",
      "order.*", "order.#", "*", "#"})
  @DisplayName("publishing on an invalid topic throws InvalidTopicException at the call")
  void publishingOnAnInvalidTopicThrows(String topic) {
    EventBus bus = buses.started();

    assertThatThrownBy(() -> bus.publish(topic, "payload"))
        .isInstanceOf(InvalidTopicException.class)
        .hasMessageContaining("'" + topic + "'");
    assertThatThrownBy(() -> bus.subscriberCount(topic)).isInstanceOf(InvalidTopicException.class);
  }

  @Test
  @DisplayName("a topic longer than 255 characters is invalid; 255 is allowed")
  void topicLengthLimit() {
    EventBus bus = buses.started();
    String longest = "a".repeat(255);

    assertThat(publish(bus, longest, "payload").matched()).isZero();
    assertThatThrownBy(() -> bus.publish(longest + "a", "payload")).isInstanceOf(InvalidTopicException.class);
  }

  @ParameterizedTest(name = "topic ''{0}''")
  @ValueSource(strings = {"model_name:created", "Ünïcode.événement", "a-b.c_d.e:f.1", "x"})
  @DisplayName("topics of any characters but dots, wildcards, whitespace and control characters are accepted")
  void unusualButValidTopicsAreAccepted(String topic) {
    EventBus bus = buses.started();
    EventLog log = new EventLog();
    subscribe(bus, topic, log.handler());

    assertThat(publish(bus, topic, "payload").delivered()).isEqualTo(1);
    assertThat(log.size()).isEqualTo(1);
  }

  static Stream<Arguments> invalidPatternCalls() {
    String[] patterns = {"", "a..b", ".a", "a.", "user.*x", "us#er", "a b", "*#", "order.**"};
    Stream.Builder<Arguments> calls = Stream.builder();
    for (String pattern : patterns) {
      calls.add(arguments(pattern, "subscribe(pattern)", call(bus -> bus.subscribe(pattern))));
      calls.add(arguments(pattern, "subscribeAsync(pattern)", call(bus -> bus.subscribeAsync(pattern))));
      calls.add(arguments(pattern, "subscribe(pattern, type)", call(bus -> bus.subscribe(pattern, String.class))));
      calls.add(arguments(pattern, "subscribeAsync(pattern, type)",
          call(bus -> bus.subscribeAsync(pattern, String.class))));
      calls.add(arguments(pattern, "subscribe(pattern, type, options)",
          call(bus -> bus.subscribe(pattern, String.class, SubscribeOptions.defaults()))));
      calls.add(arguments(pattern, "subscribe(pattern, handler)", call(bus -> bus.subscribe(pattern, NOTHING))));
      calls.add(arguments(pattern, "subscribeAsync(pattern, handler)",
          call(bus -> bus.subscribeAsync(pattern, NOTHING))));
      calls.add(arguments(pattern, "subscribe(pattern, options, handler)",
          call(bus -> bus.subscribe(pattern, SubscribeOptions.defaults(), NOTHING))));
    }
    return calls.build();
  }

  private static Consumer<EventBus> call(Consumer<EventBus> call) {
    return call;
  }

  @ParameterizedTest(name = "{1} with pattern ''{0}''")
  @MethodSource("invalidPatternCalls")
  @DisplayName("subscribing with an invalid pattern throws InvalidPatternException at the call")
  void subscribingWithAnInvalidPatternThrows(String pattern, String method, Consumer<EventBus> call) {
    EventBus bus = buses.started();

    assertThatThrownBy(() -> call.accept(bus))
        .as(method)
        .isInstanceOf(InvalidPatternException.class)
        .hasMessageContaining("'" + pattern + "'");
    assertThat(bus.topics()).isEmpty();
  }

  @Test
  @DisplayName("publishing a null payload throws InvalidEventException at the call")
  void publishingANullPayloadThrows() {
    EventBus bus = buses.started();

    assertThatThrownBy(() -> bus.publish("order.placed", null)).isInstanceOf(InvalidEventException.class);
  }

  static Stream<Arguments> nullArgumentCalls() {
    Subscription none = null;
    return Stream.of(
        arguments("publish(null event)", nullCall((bus, handler) -> bus.publish((Event<?>) null))),
        arguments("publish(null topic, payload)", nullCall((bus, handler) -> bus.publish(null, "payload"))),
        arguments("subscribe(null)", nullCall((bus, handler) -> bus.subscribe((String) null))),
        arguments("subscribeAsync(null)", nullCall((bus, handler) -> bus.subscribeAsync((String) null))),
        arguments("subscribe(null, type)", nullCall((bus, handler) -> bus.subscribe(null, String.class))),
        arguments("subscribe(pattern, null type)",
            nullCall((bus, handler) -> bus.subscribe("a", (Class<String>) null))),
        arguments("subscribeAsync(pattern, null type)",
            nullCall((bus, handler) -> bus.subscribeAsync("a", (Class<String>) null))),
        arguments("subscribe(pattern, type, null options)",
            nullCall((bus, handler) -> bus.subscribe("a", String.class, null))),
        arguments("subscribe(pattern, null type, options)",
            nullCall((bus, handler) -> bus.subscribe("a", null, SubscribeOptions.defaults()))),
        arguments("subscribe(pattern, null handler)",
            nullCall((bus, handler) -> bus.subscribe("a", (EventHandler) null))),
        arguments("subscribeAsync(pattern, null handler)",
            nullCall((bus, handler) -> bus.subscribeAsync("a", (EventHandler) null))),
        arguments("subscribe(null pattern, handler)",
            nullCall((bus, handler) -> bus.subscribe(null, handler))),
        arguments("subscribe(pattern, null options, handler)",
            nullCall((bus, handler) -> bus.subscribe("a", (SubscribeOptions) null, handler))),
        arguments("subscribe(pattern, options, null handler)",
            nullCall((bus, handler) -> bus.subscribe("a", SubscribeOptions.defaults(), null))),
        arguments("unsubscribe(null)", nullCall((bus, handler) -> bus.unsubscribe(none))),
        arguments("subscriberCount(null)", nullCall((bus, handler) -> bus.subscriberCount(null))));
  }

  private static BiConsumer<EventBus, EventHandler> nullCall(BiConsumer<EventBus, EventHandler> call) {
    return call;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("nullArgumentCalls")
  @DisplayName("a null argument throws NullPointerException at the call")
  void aNullArgumentThrowsAtTheCall(String method, BiConsumer<EventBus, EventHandler> call) {
    EventBus bus = buses.started();

    assertThatNullPointerException().as(method).isThrownBy(() -> call.accept(bus, NOTHING));
    assertThat(bus.topics()).isEmpty();
  }
}
