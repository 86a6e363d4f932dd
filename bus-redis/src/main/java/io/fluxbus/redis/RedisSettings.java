package io.fluxbus.redis;

import io.fluxbus.internal.delivery.LocalSettings;
import io.lettuce.core.resource.ClientResources;
import java.time.Duration;
import java.util.Objects;

/**
 * What a {@link RedisEventBus} runs with.
 *
 * @param address the server, credentials kept out of sight
 * @param namespace the prefix of every channel the bus uses; buses of one namespace see each other's events
 * @param inboundBufferSize events received from Redis held while local subscribers are busy; beyond it they are
 *     dropped and reported
 * @param clientResources Lettuce resources shared with the application, or null for the bus's own (created at
 *     {@code start()}, shut down at {@code stop()})
 * @param local the settings of the embedded delivery core
 * @param streams the settings of streams mode, or null in pub/sub mode
 * @param trustedCertificates a PEM file of the certificates to trust for {@code rediss://}, or null for the JVM's
 * @param reconnectDelay the longest wait between reconnect attempts after a connection was lost (the first come
 *     sooner, with jitter); applies to the bus's own client resources
 */
record RedisSettings(RedisAddress address, String namespace, int inboundBufferSize, ClientResources clientResources,
                     LocalSettings local, StreamsSettings streams, java.nio.file.Path trustedCertificates,
                     Duration reconnectDelay) {

  RedisSettings {
    Objects.requireNonNull(address, "address must not be null");
    PubSubChannels.requireValidNamespace(namespace);
    Objects.requireNonNull(local, "local must not be null");
    if (reconnectDelay == null || reconnectDelay.isNegative() || reconnectDelay.isZero()) {
      throw new IllegalArgumentException("reconnectDelay must be positive, got " + reconnectDelay);
    }
    if (inboundBufferSize < 1) {
      throw new IllegalArgumentException("inboundBufferSize must be 1 or more, got " + inboundBufferSize);
    }
  }

  String engine() {
    return local.engine();
  }
}
