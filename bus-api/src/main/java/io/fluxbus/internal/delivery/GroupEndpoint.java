package io.fluxbus.internal.delivery;

import io.fluxbus.DropReason;
import io.fluxbus.Event;
import io.fluxbus.SubscribeOptions;
import io.fluxbus.TopicPattern;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A consumer group: the subscriptions that share a group name and a pattern. It stands in the topic trie as one
 * endpoint, so an event matches the group once; it hands each event to one member, taking members in turn and
 * skipping those without room. When no member has room, the next member in turn applies its delivery mode.
 */
final class GroupEndpoint extends Endpoint {

  final String group;
  private volatile Endpoint[] members = new Endpoint[0];
  private final AtomicInteger turn = new AtomicInteger();

  GroupEndpoint(long seq, String group, TopicPattern pattern, LocalEventBus bus) {
    super(seq, "group:" + group, pattern, SubscribeOptions.defaults().group(group), bus);
    this.group = group;
  }

  @Override
  int offer(Event<Object> event, Dispatch dispatch) {
    Endpoint[] all = members;
    int n = all.length;
    if (n == 0) {
      bus.outcomes.dropped(this, event, DropReason.UNSUBSCRIBED);
      return Dispatch.DROPPED;
    }
    int first = Math.floorMod(turn.getAndIncrement(), n);
    for (int i = 0; i < n; i++) {
      int outcome = all[(first + i) % n].offerNow(event, dispatch);
      if (outcome != REFUSED) {
        return outcome;
      }
    }
    return all[first].refuse(event, dispatch);
  }

  @Override
  int offerFast(Event<Object> event) {
    Endpoint[] all = members;
    int n = all.length;
    if (n == 0) {
      bus.outcomes.dropped(this, event, DropReason.UNSUBSCRIBED);
      return Dispatch.DROPPED;
    }
    int first = Math.floorMod(turn.get(), n);
    for (int i = 0; i < n; i++) {
      Endpoint member = all[(first + i) % n];
      if (member.terminated == null && !member.hasWaiters() && member.tryFast(event) == Dispatch.ACCEPTED) {
        turn.incrementAndGet();
        return Dispatch.ACCEPTED;
      }
    }
    // sync handler members, busy members, or none with room: the full offer decides, per member and mode
    return SLOW;
  }

  @Override
  int tryFast(Event<Object> event) {
    throw new IllegalStateException("a group offers through its members");
  }

  /** Adds a member (under the bus's registry lock). */
  void join(Endpoint member) {
    Endpoint[] current = members;
    Endpoint[] next = Arrays.copyOf(current, current.length + 1);
    next[current.length] = member;
    members = next;
  }

  /** Removes a member (under the bus's registry lock); true when the group is now empty. */
  boolean leave(Endpoint member) {
    Endpoint[] current = members;
    Endpoint[] next = Arrays.stream(current).filter(m -> m != member).toArray(Endpoint[]::new);
    members = next;
    return next.length == 0;
  }

  @Override
  int tryOffer(Event<Object> event, Dispatch dispatch) {
    throw new IllegalStateException("a group offers through its members");
  }

  @Override
  boolean reserve() {
    return false;
  }

  @Override
  void unreserve() {
  }

  @Override
  void acceptReserved(Event<Object> event) {
    throw new IllegalStateException("a group buffers nothing itself");
  }

  @Override
  void signal() {
  }

  @Override
  boolean idle() {
    return true;
  }

  @Override
  int buffered() {
    return 0;
  }
}
