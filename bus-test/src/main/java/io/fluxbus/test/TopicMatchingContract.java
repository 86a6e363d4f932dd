package io.fluxbus.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.fluxbus.EventBus;
import io.fluxbus.PublishResult;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Topic patterns: {@code *} is exactly one segment, {@code #} zero or more (AMQP topic-exchange rules). */
abstract class TopicMatchingContract extends ContractPart {

  TopicMatchingContract(BusFixture buses) {
    super(buses);
  }

  static Stream<Arguments> patterns() {
    return Stream.of(
        arguments("user.*", "user.created", true),
        arguments("user.*", "user.profile.updated", false),
        arguments("user.*", "user", false),
        arguments("user.#", "user", true),
        arguments("user.#", "user.created", true),
        arguments("user.#", "user.profile.updated", true),
        arguments("user.#", "users.created", false),
        arguments("#", "a", true),
        arguments("#", "user.profile.updated", true),
        arguments("*", "a", true),
        arguments("*", "a.b", false),
        arguments("*.created", "user.created", true),
        arguments("*.created", "created", false),
        arguments("#.created", "created", true),
        arguments("#.created", "user.profile.created", true),
        arguments("#.created", "user.created.later", false),
        arguments("a.#.z", "a.z", true),
        arguments("a.#.z", "a.b.c.z", true),
        arguments("a.#.z", "a.b.c", false),
        arguments("a.*.#", "a", false),
        arguments("a.*.#", "a.b", true),
        arguments("user.created", "user.created", true),
        arguments("user.created", "user.create", false),
        arguments("user.created", "user.created.v2", false),
        arguments("model_name:created", "model_name:created", true));
  }

  @ParameterizedTest(name = "pattern ''{0}'' on topic ''{1}'' matches: {2}")
  @MethodSource("patterns")
  @DisplayName("a pattern receives exactly the topics it matches")
  void aPatternReceivesExactlyTheTopicsItMatches(String pattern, String topic, boolean matches) {
    EventBus bus = buses.started();
    EventLog log = new EventLog();
    subscribe(bus, pattern, log.handler());

    PublishResult result = publish(bus, topic, "payload");

    int expected = matches ? 1 : 0;
    assertThat(result.delivered()).as("PublishResult.delivered").isEqualTo(expected);
    assertThat(log.size()).as("events received").isEqualTo(expected);
    assertThat(bus.subscriberCount(topic)).as("subscriberCount('%s')", topic).isEqualTo(expected);
  }

  @Test
  @DisplayName("overlapping patterns each get a copy of an event")
  void overlappingPatternsEachGetACopy() {
    EventBus bus = buses.started();
    EventLog log = new EventLog();
    for (String pattern : new String[] {"user.created", "user.*", "user.#", "#", "*.created"}) {
      subscribe(bus, pattern, log.handler());
    }

    PublishResult result = publish(bus, "user.created", "u-1");

    assertThat(result.delivered()).isEqualTo(5);
    assertThat(log.size()).isEqualTo(5);
    assertThat(bus.subscriberCount("user.created")).isEqualTo(5);
    assertThat(bus.subscriberCount("user.profile.updated")).isEqualTo(2);
  }

  @Test
  @DisplayName("topics() lists each pattern that has an active subscription, once")
  void topicsListsActivePatterns() {
    EventBus bus = buses.started();

    subscribe(bus, "user.*", new EventLog().handler());
    subscribe(bus, "user.*", new EventLog().handler());
    bus.subscribe("#").subscribe();
    bus.subscribeAsync("order.placed").subscribe();

    assertThat(bus.topics()).containsExactlyInAnyOrder("user.*", "#", "order.placed");
  }
}
