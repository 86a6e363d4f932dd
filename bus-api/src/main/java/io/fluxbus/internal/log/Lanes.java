package io.fluxbus.internal.log;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Function;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Settles a batch read from the log in per-key lanes: items of one lane (events with one key; keyless events of one
 * topic) one at a time in batch order, up to {@code width} lanes at once, so a member with concurrency keeps each
 * key's order. With a width of 1 the whole batch goes one at a time in batch order. Lanes are usually
 * {@link LogItem#lane()}.
 */
public final class Lanes {

  private Lanes() {}

  /**
   * Settles every item and emits the outcomes in the items' order.
   *
   * @param laneOf an item's lane, or null for an item that shares its lane with nobody
   * @param settle settles one item; must emit exactly one outcome and never fail
   */
  public static <T, R> Mono<List<R>> settle(List<T> items, Function<T, String> laneOf, Function<T, Mono<R>> settle,
                                     int width) {
    AtomicReferenceArray<R> outcomes = new AtomicReferenceArray<>(items.size());
    Flux<Integer> order;
    if (width <= 1) {
      order = Flux.range(0, items.size()).concatMap(i -> settle.apply(items.get(i)).doOnNext(r -> outcomes.set(i, r))
          .thenReturn(i));
    } else {
      Map<Object, List<Integer>> lanes = new LinkedHashMap<>();
      for (int i = 0; i < items.size(); i++) {
        String lane = laneOf.apply(items.get(i));
        lanes.computeIfAbsent(lane == null ? (Object) i : lane, key -> new ArrayList<>()).add(i);
      }
      order = Flux.fromIterable(lanes.values())
          .flatMap(lane -> Flux.fromIterable(lane).concatMap(i -> settle.apply(items.get(i))
              .doOnNext(r -> outcomes.set(i, r)).thenReturn(i)), width);
    }
    return order.then(Mono.fromCallable(() -> {
      List<R> inOrder = new ArrayList<>(items.size());
      for (int i = 0; i < items.size(); i++) {
        inOrder.add(outcomes.get(i));
      }
      return inOrder;
    }));
  }
}
