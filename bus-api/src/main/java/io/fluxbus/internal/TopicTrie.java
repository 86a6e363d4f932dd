package io.fluxbus.internal;

import io.fluxbus.TopicPattern;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToLongFunction;

/**
 * Patterns to entries, matched per topic by walking one trie node per topic segment ({@code *} one segment,
 * {@code #} zero or more), so a publish costs O(segments), not O(subscriptions); results are cached per topic
 * until the next change.
 *
 * <p>Thread-safety: {@link #match} is lock-free and may run on any thread; {@link #add} and {@link #remove}
 * serialize on the trie and publish copy-on-write arrays. A match that starts after a change returned sees it.
 *
 * @param <E> the entry type
 */
public final class TopicTrie<E> {

  private static final int CACHE_LIMIT = 8192;

  private final Node<E> root = new Node<>(false);
  private final ToLongFunction<E> order;
  private final Map<String, Cached<E>> cache = new ConcurrentHashMap<>();
  private final E[] empty;
  private volatile long epoch;
  /**
   * The last match, checked before the cache by the topic's identity: a publisher that publishes on one topic
   * string over and over (a hot loop, an engine's receive loop) pays two reads instead of a hash lookup. Plain:
   * a {@code Cached} is immutable (safely published through its final fields) and used only when its epoch is
   * the current one, so a stale or racy read costs a cache lookup, never a wrong answer.
   */
  private Cached<E> last;

  /**
   * Creates an empty trie.
   *
   * @param order the sort key of entries in match results (e.g. subscription sequence numbers)
   * @param empty an empty array of the entry type, returned by matches that find nothing
   */
  public TopicTrie(ToLongFunction<E> order, E[] empty) {
    this.order = order;
    this.empty = empty;
  }

  /** Adds an entry under a pattern. */
  public synchronized void add(TopicPattern pattern, E entry) {
    Node<E> node = root;
    for (String segment : pattern.value().split("\\.")) {
      node = node.childOrCreate(segment);
    }
    E[] current = node.entries;
    E[] next = Arrays.copyOf(current == null ? empty : current, (current == null ? 0 : current.length) + 1);
    next[next.length - 1] = entry;
    node.entries = next;
    changed();
  }

  /** Removes an entry (by identity) from under a pattern; true when it was there. */
  public synchronized boolean remove(TopicPattern pattern, E entry) {
    String[] segments = pattern.value().split("\\.");
    List<Node<E>> path = new ArrayList<>(segments.length + 1);
    Node<E> node = root;
    path.add(node);
    for (String segment : segments) {
      node = node.child(segment);
      if (node == null) {
        return false;
      }
      path.add(node);
    }
    E[] current = node.entries;
    if (current == null) {
      return false;
    }
    for (int i = 0; i < current.length; i++) {
      if (current[i] == entry) {
        E[] next = Arrays.copyOf(empty, current.length - 1);
        System.arraycopy(current, 0, next, 0, i);
        System.arraycopy(current, i + 1, next, i, current.length - i - 1);
        node.entries = next.length == 0 ? null : next;
        prune(path, segments);
        changed();
        return true;
      }
    }
    return false;
  }

  /**
   * Unlinks the nodes of a removed pattern that hold nothing any more, deepest first, so patterns that come and
   * go (per-request reply topics, say) do not grow the trie forever. A concurrent match may still walk an
   * unlinked node; it finds it empty.
   */
  private void prune(List<Node<E>> path, String[] segments) {
    for (int depth = segments.length; depth > 0; depth--) {
      Node<E> node = path.get(depth);
      if (!node.isEmpty()) {
        return;
      }
      path.get(depth - 1).unlink(segments[depth - 1]);
    }
  }


  /**
   * The entries whose pattern matches {@code topic}, each once, ordered by the trie's order key. The array is
   * shared: callers must not modify it.
   *
   * @param topic a valid topic
   */
  public E[] match(String topic) {
    long seen = epoch;
    Cached<E> recent = last;
    if (recent != null && recent.topic == topic && recent.epoch == seen) {
      return recent.entries;
    }
    Cached<E> cached = cache.get(topic);
    if (cached == null || cached.epoch != seen) {
      cached = new Cached<>(topic, seen, walk(topic));
      if (cache.size() >= CACHE_LIMIT) {
        cache.clear();
      }
      cache.put(topic, cached);
    }
    if (recent != cached) {
      last = cached;
    }
    return cached.entries;
  }

  /** How many nodes the trie holds, the root included. */
  @VisibleForTesting
  synchronized int nodeCount() {
    return count(root);
  }

  private static int count(Node<?> node) {
    int n = 1;
    for (Node<?> child : node.children.values()) {
      n += count(child);
    }
    n += node.star == null ? 0 : count(node.star);
    n += node.hash == null ? 0 : count(node.hash);
    return n;
  }

  private void changed() {
    epoch++;
    // Stale results would still be ignored (their epoch is old), but they would keep removed entries reachable.
    cache.clear();
    last = null;
  }

  /**
   * Walks the trie one topic segment at a time, keeping the set of nodes the topic prefix has reached. A node
   * under {@code #} stays in the set while it consumes segments. Each node is in a set at most once, so a walk is
   * O(segments x nodes) however many ways patterns such as {@code #.a.#} can match; a backtracking walk is
   * exponential on patterns such as {@code #.#.#.#}.
   */
  private E[] walk(String topic) {
    List<Node<E>> states = new ArrayList<>();
    enter(root, states, newNodeSet());
    for (String segment : topic.split("\\.")) {
      List<Node<E>> next = new ArrayList<>();
      Set<Node<E>> seen = newNodeSet();
      for (Node<E> node : states) {
        if (node.multi) {
          enter(node, next, seen);
        }
        Node<E> exact = node.children.get(segment);
        if (exact != null) {
          enter(exact, next, seen);
        }
        Node<E> star = node.star;
        if (star != null) {
          enter(star, next, seen);
        }
      }
      if (next.isEmpty()) {
        return empty;
      }
      states = next;
    }
    List<E> found = new ArrayList<>();
    for (Node<E> node : states) {
      E[] entries = node.entries;
      if (entries != null) {
        found.addAll(Arrays.asList(entries));
      }
    }
    if (found.isEmpty()) {
      return empty;
    }
    if (found.size() > 1) {
      Set<E> unique = Collections.newSetFromMap(new IdentityHashMap<>());
      found.removeIf(e -> !unique.add(e));
      found.sort(Comparator.comparingLong(order));
    }
    return found.toArray(empty);
  }

  /** Adds a node to a state set and, since {@code #} may match zero segments, the {@code #} nodes below it. */
  private static <E> void enter(Node<E> node, List<Node<E>> states, Set<Node<E>> seen) {
    for (Node<E> n = node; n != null && seen.add(n); n = n.hash) {
      states.add(n);
    }
  }

  private static <E> Set<Node<E>> newNodeSet() {
    return Collections.newSetFromMap(new IdentityHashMap<>());
  }

  private record Cached<E>(String topic, long epoch, E[] entries) {}

  private static final class Node<E> {
    /** True for a node under {@code #}: it matches any number of further segments. */
    final boolean multi;
    final Map<String, Node<E>> children = new ConcurrentHashMap<>();
    volatile Node<E> star;
    volatile Node<E> hash;
    volatile E[] entries;

    Node(boolean multi) {
      this.multi = multi;
    }

    Node<E> child(String segment) {
      return switch (segment) {
        case "*" -> star;
        case "#" -> hash;
        default -> children.get(segment);
      };
    }

    boolean isEmpty() {
      return entries == null && star == null && hash == null && children.isEmpty();
    }

    void unlink(String segment) {
      switch (segment) {
        case "*" -> star = null;
        case "#" -> hash = null;
        default -> children.remove(segment);
      }
    }

    Node<E> childOrCreate(String segment) {
      Node<E> child = child(segment);
      if (child != null) {
        return child;
      }
      Node<E> created = new Node<>(segment.equals("#"));
      switch (segment) {
        case "*" -> star = created;
        case "#" -> hash = created;
        default -> children.put(segment, created);
      }
      return created;
    }
  }
}
