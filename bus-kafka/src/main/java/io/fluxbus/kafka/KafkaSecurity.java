package io.fluxbus.kafka;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.config.types.Password;

/**
 * How the clients authenticate and encrypt: plaintext, TLS (with a trust store when the broker's certificate is not
 * signed by a CA the JVM trusts), SASL PLAIN or SCRAM, or SASL over TLS. The passwords are handed to the clients as
 * Kafka {@link Password}s (which Kafka's own config logging hides) and never printed: {@link #toString()} masks them.
 *
 * @param tls whether connections use TLS
 * @param mechanism {@code PLAIN}, {@code SCRAM-SHA-256} or {@code SCRAM-SHA-512}, or null for no SASL
 * @param username the SASL user, or null
 * @param password the SASL password, or null
 * @param trustStore the trust store file, or null for the JVM's
 * @param trustStorePassword its password, or null
 * @param trustStoreType {@code JKS}, {@code PKCS12} or {@code PEM}, or null for the client's default
 */
record KafkaSecurity(boolean tls, String mechanism, String username, String password, Path trustStore,
                     String trustStorePassword, String trustStoreType) {

  /** The SASL mechanisms the engine configures. */
  static final List<String> MECHANISMS = List.of("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512");

  /** Plaintext, no authentication. */
  static final KafkaSecurity NONE = new KafkaSecurity(false, null, null, null, null, null, null);

  KafkaSecurity {
    if (mechanism != null) {
      mechanism = mechanism.toUpperCase(Locale.ROOT);
      if (!MECHANISMS.contains(mechanism)) {
        throw new IllegalArgumentException("saslMechanism must be one of " + MECHANISMS + ", got '" + mechanism + "'");
      }
      if (username == null || password == null) {
        throw new IllegalArgumentException("saslMechanism " + mechanism + " needs username and password");
      }
    }
  }

  /** {@code PLAINTEXT}, {@code SSL}, {@code SASL_PLAINTEXT} or {@code SASL_SSL}. */
  String protocol() {
    return mechanism == null ? (tls ? "SSL" : "PLAINTEXT") : (tls ? "SASL_SSL" : "SASL_PLAINTEXT");
  }

  /** Adds the security settings to a client's configuration. */
  void applyTo(Map<String, Object> config) {
    config.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, protocol());
    if (mechanism != null) {
      config.put(SaslConfigs.SASL_MECHANISM, mechanism);
      String module = mechanism.equals("PLAIN") ? "org.apache.kafka.common.security.plain.PlainLoginModule"
          : "org.apache.kafka.common.security.scram.ScramLoginModule";
      config.put(SaslConfigs.SASL_JAAS_CONFIG, new Password(module + " required username=\"" + quote(username)
          + "\" password=\"" + quote(password) + "\";"));
    }
    if (trustStore != null) {
      config.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, trustStore.toString());
      if (trustStorePassword != null) {
        config.put(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, new Password(trustStorePassword));
      }
      if (trustStoreType != null) {
        config.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, trustStoreType);
      }
    }
  }

  private static String quote(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"");
  }

  /** The protocol, mechanism, user and trust store; passwords masked. */
  @Override
  public String toString() {
    return "KafkaSecurity{" + protocol() + (mechanism == null ? "" : ", " + mechanism + " as '" + username
        + "', password ****") + (trustStore == null ? "" : ", trustStore " + trustStore
        + (trustStorePassword == null ? "" : " (password ****)")) + "}";
  }
}
