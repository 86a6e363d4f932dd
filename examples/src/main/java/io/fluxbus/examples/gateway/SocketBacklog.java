package io.fluxbus.examples.gateway;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The messages the gateway holds for its WebSocket connections: requests read from a socket and not yet answered,
 * and answers and events not yet written to it. {@link SocketEndpoint} bounds them per connection; this counts
 * them, in total (the gauge {@code fluxbus.gateway.socket.backlog}) and as the most one connection ever held, so
 * the bound can be checked, and tells whether a connection's socket is being read. Thread-safe.
 */
final class SocketBacklog {

  private final AtomicLong total = new AtomicLong();
  private final AtomicLong highWater = new AtomicLong();
  private final Set<Connection> open = ConcurrentHashMap.newKeySet();

  /** A new connection's count; {@link Connection#close} when the connection ends. */
  Connection open() {
    Connection connection = new Connection();
    open.add(connection);
    return connection;
  }

  /** True when some open connection's socket is not read now: the gateway asks it for no more requests. */
  boolean readingPaused() {
    return open.stream().anyMatch(connection -> connection.demand.get() == 0);
  }

  /** Messages held now, over all connections. */
  long held() {
    return total.get();
  }

  /** The most messages one connection held at once, since the gateway started. */
  long highWater() {
    return highWater.get();
  }

  void bind(MeterRegistry registry) {
    Gauge.builder("fluxbus.gateway.socket.backlog", total, AtomicLong::get)
        .description("Messages the gateway holds for WebSocket connections: requests read and not yet answered, "
            + "answers and events not yet written")
        .register(registry);
  }

  /** One connection's count. */
  final class Connection {

    /** The count of a closed connection. */
    private static final long CLOSED = Long.MIN_VALUE;

    private final AtomicLong held = new AtomicLong();
    private final AtomicLong demand = new AtomicLong();

    /** The gateway asks the socket for {@code n} more requests. */
    void requested(long n) {
      demand.accumulateAndGet(n, (now, more) -> now + more < 0 ? Long.MAX_VALUE : now + more);
    }

    /** A request was read from the socket; it is held until answered. */
    void read() {
      demand.accumulateAndGet(1, (now, one) -> now == Long.MAX_VALUE ? now : now - one);
      add();
    }

    /** A message is now held: a request read from the socket, or an event or answer ready for it. */
    void add() {
      long now = held.updateAndGet(n -> n == CLOSED ? n : n + 1);
      if (now != CLOSED) {
        total.incrementAndGet();
        highWater.accumulateAndGet(now, Math::max);
      }
    }

    /** A held message is done with: written to the socket, or a request that needed no answer. */
    void release() {
      if (held.getAndUpdate(n -> n == CLOSED ? n : n - 1) != CLOSED) {
        total.decrementAndGet();
      }
    }

    /** The connection ended: what it still held is gone with it; later counts of its messages are ignored. */
    void close() {
      open.remove(this);
      long rest = held.getAndSet(CLOSED);
      if (rest != CLOSED) {
        total.addAndGet(-rest);
      }
    }
  }
}
