package io.fluxbus.test;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxbus.Event;
import io.fluxbus.EventBus;
import io.fluxbus.PublishResult;
import io.fluxbus.SubscribeOptions;
import io.fluxbus.Subscription;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Consumer groups: members of a group compete (each event to one of them), while every group and every ungrouped
 * subscription gets its own copy; a group counts once. With a durable log, groups take events from the log after
 * the publish: the publish does not count them, and the checks wait for the members.
 */
abstract class ConsumerGroupContract extends ContractPart {

  ConsumerGroupContract(BusFixture buses) {
    super(buses);
  }

  private static SubscribeOptions group(String name, boolean async) {
    return SubscribeOptions.defaults().group(name).async(async);
  }

  /** What a publish counts for {@code groups} groups: one each at publish; none when a durable log serves them. */
  private int counted(int groups) {
    return buses.capabilities().durableLog() ? 0 : groups;
  }

  @ParameterizedTest(name = "async: {0}")
  @ValueSource(booleans = {false, true})
  @DisplayName("each event goes to exactly one member of a group")
  void eachEventGoesToExactlyOneMember(boolean async) {
    EventBus bus = buses.started();
    List<EventLog> members = List.of(new EventLog(), new EventLog(), new EventLog());
    members.forEach(member -> subscribe(bus, "order.placed", group("billing", async), member.handler()));

    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      PublishResult result = publish(bus, "order.placed", i);
      assertThat(result.delivered()).as("a group takes an event once").isEqualTo(counted(1));
      ids.add(result.eventId());
    }

    eventually().untilAsserted(() -> assertThat(members.stream().mapToInt(EventLog::size).sum()).isEqualTo(30));
    assertThat(members.stream().flatMap(member -> member.ids().stream()))
        .as("ids handled across the group").containsExactlyInAnyOrderElementsOf(ids);
  }

  @Test
  @DisplayName("Flux subscriptions can join a group and compete")
  void fluxSubscriptionsCanJoinAGroup() {
    EventBus bus = buses.started();
    EventLog first = new EventLog();
    EventLog second = new EventLog();
    bus.subscribe("order.placed", Object.class, SubscribeOptions.defaults().group("billing")).subscribe(first::add);
    bus.subscribe("order.placed", Object.class, SubscribeOptions.defaults().group("billing")).subscribe(second::add);

    for (int i = 0; i < 10; i++) {
      assertThat(publish(bus, "order.placed", i).delivered()).isEqualTo(counted(1));
    }

    eventually().untilAsserted(() -> assertThat(Stream.concat(first.payloads().stream(), second.payloads().stream()))
        .containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6, 7, 8, 9));
  }

  @Test
  @DisplayName("every group and every ungrouped subscription gets its own copy")
  void everyGroupAndUngroupedSubscriptionGetsACopy() {
    EventBus bus = buses.started();
    EventLog billing = new EventLog();
    EventLog shipping = new EventLog();
    EventLog audit = new EventLog();
    for (int member = 0; member < 2; member++) {
      subscribe(bus, "order.placed", group("billing", false), billing.handler());
      subscribe(bus, "order.placed", group("shipping", false), shipping.handler());
    }
    subscribe(bus, "order.placed", audit.handler());

    for (int i = 0; i < 10; i++) {
      assertThat(publish(bus, "order.placed", i).delivered()).isEqualTo(1 + counted(2));
    }

    assertThat(audit.payloads()).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    eventually().untilAsserted(() -> {
      assertThat(billing.payloads()).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
      assertThat(shipping.payloads()).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    });
  }

  @Test
  @DisplayName("a group counts once in subscriberCount")
  void aGroupCountsOnce() {
    EventBus bus = buses.started();
    for (int member = 0; member < 3; member++) {
      subscribe(bus, "order.placed", group("billing", member % 2 == 0), new EventLog().handler());
    }
    subscribe(bus, "order.placed", group("shipping", false), new EventLog().handler());
    subscribe(bus, "order.placed", new EventLog().handler());

    assertThat(bus.subscriberCount("order.placed")).isEqualTo(3);
    assertThat(bus.topics()).containsExactly("order.placed");
  }

  @Test
  @DisplayName("a group keeps receiving while a member is left, and is gone when the last member leaves")
  void aGroupLivesAsLongAsItsLastMember() {
    EventBus bus = buses.started();
    EventLog leaving = new EventLog();
    EventLog staying = new EventLog();
    Subscription leaver = subscribe(bus, "order.placed", group("billing", false), leaving.handler());
    Subscription stayer = subscribe(bus, "order.placed", group("billing", false), staying.handler());

    leaver.cancel().block(WAIT);
    for (int i = 0; i < 5; i++) {
      assertThat(publish(bus, "order.placed", i).delivered()).isEqualTo(counted(1));
    }
    assertThat(bus.subscriberCount("order.placed")).isEqualTo(1);
    eventually().untilAsserted(() -> assertThat(staying.payloads()).containsExactly(0, 1, 2, 3, 4));
    assertThat(leaving.size()).isZero();

    stayer.cancel().block(WAIT);
    assertThat(bus.subscriberCount("order.placed")).isZero();
    assertThat(publish(bus, "order.placed", 5).matched()).isZero();
    assertThat(bus.topics()).isEmpty();
  }

  @Test
  @DisplayName("groups with the same name on different patterns are separate groups")
  void groupsAreScopedToTheirPattern() {
    EventBus bus = buses.started();
    EventLog exact = new EventLog();
    EventLog wildcard = new EventLog();
    subscribe(bus, "order.placed", group("billing", false), exact.handler());
    subscribe(bus, "order.*", group("billing", false), wildcard.handler());

    PublishResult result = publish(bus, Event.of("order.placed", "o-1"));

    assertThat(result.delivered()).isEqualTo(counted(2));
    eventually().untilAsserted(() -> {
      assertThat(exact.size()).isEqualTo(1);
      assertThat(wildcard.size()).isEqualTo(1);
    });
  }
}
