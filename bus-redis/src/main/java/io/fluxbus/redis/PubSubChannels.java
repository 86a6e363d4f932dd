package io.fluxbus.redis;

import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * The pub/sub channel names of one bus. An event on {@code topic} is published on
 * {@code <namespace>:<origin>:<topic>}, where {@code origin} identifies the publishing bus; every bus of the
 * namespace listens with the single pattern {@code <namespace>:*}. The origin lets a bus skip its own events, which
 * it has already delivered locally, without decoding them. Messages on {@code <namespace>:<anything>} from other
 * producers are accepted too: only the body (CloudEvents JSON) says what the event is. Immutable.
 */
final class PubSubChannels {

  /** Letters, digits, {@code _ - .}: no glob metacharacters and no {@code :}, the separator. */
  private static final Pattern NAMESPACE = Pattern.compile("[A-Za-z0-9_.\\-]{1,100}");

  private final String prefix;
  private final String origin;
  private final String ownPrefix;

  private PubSubChannels(String namespace, String origin) {
    this.prefix = namespace + ":";
    this.origin = origin;
    this.ownPrefix = prefix + origin + ":";
  }

  /** Channels for a new bus in {@code namespace}, with a random origin. */
  static PubSubChannels create(String namespace) {
    return new PubSubChannels(requireValidNamespace(namespace),
        Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE));
  }

  /**
   * Checks a namespace.
   *
   * @throws IllegalArgumentException naming the namespace and what is allowed
   */
  static String requireValidNamespace(String namespace) {
    if (namespace == null || !NAMESPACE.matcher(namespace).matches()) {
      throw new IllegalArgumentException("namespace '" + namespace + "' is invalid; use 1 to 100 letters, digits, "
          + "'_', '-' or '.'");
    }
    return namespace;
  }

  /** The channel an event on {@code topic} is published on. */
  String channel(String topic) {
    return ownPrefix + topic;
  }

  /** The one pattern a bus subscribes to. */
  String pattern() {
    return prefix + "*";
  }

  /** Whether a message on {@code channel} was published by this bus. */
  boolean isOwn(String channel) {
    return channel.startsWith(ownPrefix);
  }

  /**
   * The {@code CLIENT SETNAME} of one of this bus's connections, {@code fluxbus:<namespace>:<origin>:<role>}, so
   * that {@code CLIENT LIST} tells which bus a connection belongs to.
   */
  String clientName(String role) {
    return "fluxbus:" + ownPrefix + role;
  }

  /** This bus's origin id. */
  String origin() {
    return origin;
  }
}
