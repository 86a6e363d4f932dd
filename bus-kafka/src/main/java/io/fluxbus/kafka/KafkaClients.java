package io.fluxbus.kafka;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.RoundRobinAssignor;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** The configurations of the Kafka clients a bus opens, from its {@link KafkaSettings}. */
final class KafkaClients {

  private KafkaClients() {}

  /** The admin client's. */
  static Map<String, Object> admin(KafkaSettings settings, String origin) {
    Map<String, Object> config = common(settings, "admin", origin);
    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) settings.connectTimeout().toMillis());
    config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
        (int) Math.min(settings.connectTimeout().toMillis(), 30_000));
    return config;
  }

  /**
   * The producer's: {@code acks} as configured, idempotent with {@code all} (so retries neither duplicate nor
   * reorder), otherwise one request in flight per connection, so that retries do not reorder.
   */
  static Map<String, Object> producer(KafkaSettings settings, String origin) {
    Map<String, Object> config = common(settings, "producer", origin);
    config.put(ProducerConfig.ACKS_CONFIG, settings.acks());
    boolean idempotent = settings.acks().equals("all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, idempotent);
    if (!idempotent) {
      config.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
    }
    config.put(ProducerConfig.LINGER_MS_CONFIG, (int) settings.linger().toMillis());
    config.put(ProducerConfig.BATCH_SIZE_CONFIG, settings.batchSize());
    config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, settings.compression());
    config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, settings.connectTimeout().toMillis());
    config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    return config;
  }

  /**
   * A consumer's: offsets committed by the engine only, never automatically; a group member of the classic
   * protocol with the round-robin assignor. Round robin rather than (cooperative) sticky: sticky assignors leave a
   * member that joins the highest-numbered partitions, and Kafka's partitioner puts few keys on few partitions (keys
   * {@code k0}..{@code k7} all land on partitions 0 and 1 of 4), so a new member could get none of a busy set of
   * keys; round robin interleaves. The price: a rebalance revokes every partition (eager), so every member settles
   * and commits what it has in hand before the group goes on.
   *
   * @param groupId the Kafka group, or null for a reader that assigns itself partitions
   */
  static Map<String, Object> consumer(KafkaSettings settings, String role, String origin, String groupId) {
    Map<String, Object> config = common(settings, role, origin);
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, settings.maxPollRecords());
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    if (groupId != null) {
      config.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
      config.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
      config.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, RoundRobinAssignor.class.getName());
      long session = settings.sessionTimeout().toMillis();
      config.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) session);
      config.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, (int) Math.max(10, session / 4));
      config.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, (int) settings.maxPollInterval().toMillis());
    }
    return config;
  }

  private static Map<String, Object> common(KafkaSettings settings, String role, String origin) {
    Map<String, Object> config = new HashMap<>();
    config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
    config.put(CommonClientConfigs.CLIENT_ID_CONFIG, settings.clientId() + "-" + role + "-" + origin.substring(0, 8));
    config.put(CommonClientConfigs.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
    settings.security().applyTo(config);
    return config;
  }
}
