package io.fluxbus.kafka;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * The Kafka broker the tests of this module run against (docs/architecture.md, "Servers for tests"), chosen once per
 * test run:
 * <ol>
 *   <li>{@code FLUXBUS_KAFKA_BOOTSTRAP} when set; if it does not answer, every test fails (never skips);</li>
 *   <li>else {@code 127.0.0.1:9092} when it answers;</li>
 *   <li>else a real single-node KRaft broker (Maven Central's {@code kafka_2.13} / {@code kafka-server}, the
 *   release of the client) in a child JVM on a free port, with a temporary log directory, stopped when this JVM
 *   exits.</li>
 * </ol>
 * A child JVM rather than the broker in the tests' JVM: its threads and garbage collector stay out of the tests'
 * way, its log goes to a file rather than the test output, and a fault test can kill it and start it again on the
 * same port and log directory, as a real broker crash and restart would ({@link #restart()}). The system property
 * {@code -Dfluxbus.test.kafka=embedded} skips step 2. The choice is printed once. Test classes isolate themselves by
 * namespace (their own Kafka topics), never by broker.
 */
public final class KafkaTestServer {

  private static final String DEFAULT = "127.0.0.1:9092";
  private static String bootstrap;
  private static Broker broker;

  private KafkaTestServer() {}

  /** The bootstrap servers for this run; resolves them on first use. */
  public static synchronized String bootstrap() {
    if (bootstrap == null) {
      bootstrap = resolve();
    }
    return bootstrap;
  }

  /** Whether the broker is the one started for this run (so that a test may stop and restart it). */
  public static synchronized boolean isEmbedded() {
    bootstrap();
    return broker != null;
  }

  /**
   * Kills the embedded broker (as a crash would: {@code SIGKILL}), then starts it again on the same port and log
   * directory and waits until it answers.
   *
   * @throws IllegalStateException if the broker is not the embedded one
   */
  public static synchronized void restart(Duration down, Runnable whileDown) {
    if (broker == null) {
      throw new IllegalStateException("only the embedded broker can be restarted; this run uses " + bootstrap);
    }
    broker.kill();
    whileDown.run();
    broker.launch();
    String problem = ping(bootstrap, Duration.ofSeconds(60));
    if (problem != null) {
      throw new IllegalStateException("the restarted broker does not answer: " + problem + "; see " + broker.log);
    }
  }

  /**
   * The embedded broker's secured listeners: SASL PLAIN over plaintext and over TLS (a certificate for 127.0.0.1
   * made with the JDK's keytool when the broker was prepared, and a trust store holding it).
   *
   * @param saslPlaintext bootstrap servers of the {@code SASL_PLAINTEXT} listener
   * @param saslSsl bootstrap servers of the {@code SASL_SSL} listener
   * @param username the one user the listeners know
   * @param password its password
   * @param trustStore a PKCS12 trust store with the broker's certificate
   * @param trustStorePassword its password
   */
  public record Secured(String saslPlaintext, String saslSsl, String username, String password, Path trustStore,
                        String trustStorePassword) {}

  /** The secured listeners, or null when the broker is not the embedded one (only it has them). */
  public static synchronized Secured secured() {
    bootstrap();
    return broker == null ? null : broker.secured();
  }

  /** An admin client on the test broker; close it. */
  public static Admin admin() {
    Properties properties = new Properties();
    properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
    properties.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000);
    properties.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    return Admin.create(properties);
  }

  /** Deletes every Kafka topic whose name starts with {@code prefix}. */
  public static void deleteTopics(String prefix) {
    try (Admin admin = admin()) {
      List<String> doomed = admin.listTopics().names().get(20, TimeUnit.SECONDS).stream()
          .filter(name -> name.startsWith(prefix)).toList();
      if (!doomed.isEmpty()) {
        admin.deleteTopics(doomed).all().get(20, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      System.err.println("[fluxbus] could not delete test topics " + prefix + "*: " + e);
    }
  }

  private static String resolve() {
    String configured = System.getenv("FLUXBUS_KAFKA_BOOTSTRAP");
    if (configured != null && !configured.isBlank()) {
      String problem = ping(configured, Duration.ofSeconds(10));
      if (problem != null) {
        throw new IllegalStateException("FLUXBUS_KAFKA_BOOTSTRAP names " + configured + ", which does not answer: "
            + problem + "; start it or unset FLUXBUS_KAFKA_BOOTSTRAP");
      }
      announce(configured, "FLUXBUS_KAFKA_BOOTSTRAP");
      return configured;
    }
    if (!"embedded".equals(System.getProperty("fluxbus.test.kafka")) && portAnswers(9092)
        && ping(DEFAULT, Duration.ofSeconds(5)) == null) {
      announce(DEFAULT, "local broker");
      return DEFAULT;
    }
    broker = new Broker();
    broker.launch();
    Runtime.getRuntime().addShutdownHook(new Thread(broker::kill, "kafka-test-broker-stop"));
    String embedded = "127.0.0.1:" + broker.port;
    String problem = ping(embedded, Duration.ofSeconds(90));
    if (problem != null) {
      broker.kill();
      throw new IllegalStateException("the embedded Kafka broker on port " + broker.port + " does not answer: "
          + problem + "; see " + broker.log);
    }
    announce(embedded, "embedded KRaft broker in a child JVM, log " + broker.log);
    return embedded;
  }

  private static boolean portAnswers(int port) {
    try (java.net.Socket socket = new java.net.Socket()) {
      socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Null when the broker describes its cluster within {@code timeout}, else what went wrong. */
  static String ping(String servers, Duration timeout) {
    Properties properties = new Properties();
    properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
    properties.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    properties.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(timeout.toMillis(), 5_000));
    try (Admin admin = Admin.create(properties)) {
      admin.describeCluster().nodes().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      return e.toString();
    }
  }

  private static void announce(String servers, String how) {
    System.out.println("[fluxbus] Kafka for tests: " + servers + " (" + how + ")");
  }

  /** The child JVM running {@code kafka.Kafka} in combined broker and controller mode. */
  private static final class Broker {

    static final String USER = "fluxbus";
    final int port = freePort();
    final int controllerPort = freePort();
    final int saslPort = freePort();
    final int saslSslPort = freePort();
    final String userPassword = "pw-" + UUID.randomUUID();
    final String storePassword = "store-" + UUID.randomUUID();
    final Path directory;
    final Path logs;
    final Path properties;
    final File log;
    Process process;

    Broker() {
      try {
        directory = Files.createTempDirectory("fluxbus-kafka-");
        logs = directory.resolve("data");
        properties = directory.resolve("server.properties");
        log = directory.resolve("broker.log").toFile();
        makeCertificate();
        Files.writeString(properties, String.join("\n", settings().entrySet().stream()
            .map(e -> e.getKey() + "=" + e.getValue()).toList()) + "\n");
        // KRaft needs its storage formatted once, with a cluster id, before the first start
        run(List.of("kafka.tools.StorageTool", "format", "-t", UUID.randomUUID().toString().replace("-", "")
            .substring(0, 22), "-c", properties.toString(), "--standalone"), Duration.ofSeconds(60));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot prepare the embedded Kafka broker", e);
      }
    }

    Secured secured() {
      return new Secured("127.0.0.1:" + saslPort, "127.0.0.1:" + saslSslPort, USER, userPassword,
          directory.resolve("truststore.p12"), storePassword);
    }

    /** A key pair and self-signed certificate for 127.0.0.1 (keytool), and a trust store holding the certificate. */
    private void makeCertificate() throws IOException {
      String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
      String keyStore = directory.resolve("broker.p12").toString();
      String certificate = directory.resolve("broker.pem").toString();
      tool(List.of(keytool, "-genkeypair", "-alias", "broker", "-keyalg", "RSA", "-keysize", "2048", "-validity", "7",
          "-dname", "CN=127.0.0.1", "-ext", "SAN=IP:127.0.0.1,DNS:localhost", "-keystore", keyStore,
          "-storetype", "PKCS12", "-storepass", storePassword, "-keypass", storePassword));
      tool(List.of(keytool, "-exportcert", "-rfc", "-alias", "broker", "-keystore", keyStore, "-storepass",
          storePassword, "-file", certificate));
      tool(List.of(keytool, "-importcert", "-noprompt", "-alias", "broker", "-file", certificate, "-keystore",
          directory.resolve("truststore.p12").toString(), "-storetype", "PKCS12", "-storepass", storePassword));
    }

    private void tool(List<String> command) throws IOException {
      Process tool = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log)).start();
      try {
        if (!tool.waitFor(60, TimeUnit.SECONDS) || tool.exitValue() != 0) {
          tool.destroyForcibly();
          throw new IllegalStateException("keytool " + command.get(1) + " failed; see " + log);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while running keytool", e);
      }
    }

    /**
     * One node, fast: replication 1 everywhere, no initial rebalance delay, short minimum session timeout. Besides
     * the plaintext listener the tests use, a SASL PLAIN listener over plaintext and one over TLS.
     */
    private Map<String, String> settings() {
      Map<String, String> settings = new java.util.LinkedHashMap<>();
      settings.put("process.roles", "broker,controller");
      settings.put("node.id", "1");
      settings.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort
          + ",SASL_PLAINTEXT://127.0.0.1:" + saslPort + ",SASL_SSL://127.0.0.1:" + saslSslPort);
      settings.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port + ",SASL_PLAINTEXT://127.0.0.1:"
          + saslPort + ",SASL_SSL://127.0.0.1:" + saslSslPort);
      settings.put("controller.listener.names", "CONTROLLER");
      settings.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,"
          + "SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL");
      settings.put("sasl.enabled.mechanisms", "PLAIN");
      String users = "org.apache.kafka.common.security.plain.PlainLoginModule required user_" + USER + "=\""
          + userPassword + "\";";
      settings.put("listener.name.sasl_plaintext.plain.sasl.jaas.config", users);
      settings.put("listener.name.sasl_ssl.plain.sasl.jaas.config", users);
      settings.put("listener.name.sasl_ssl.ssl.keystore.location", directory.resolve("broker.p12").toString());
      settings.put("listener.name.sasl_ssl.ssl.keystore.type", "PKCS12");
      settings.put("listener.name.sasl_ssl.ssl.keystore.password", storePassword);
      settings.put("listener.name.sasl_ssl.ssl.key.password", storePassword);
      settings.put("inter.broker.listener.name", "PLAINTEXT");
      settings.put("controller.quorum.bootstrap.servers", "127.0.0.1:" + controllerPort);
      settings.put("log.dirs", logs.toString());
      settings.put("num.partitions", "1");
      settings.put("offsets.topic.replication.factor", "1");
      settings.put("offsets.topic.num.partitions", "4");
      settings.put("transaction.state.log.replication.factor", "1");
      settings.put("transaction.state.log.min.isr", "1");
      settings.put("share.coordinator.state.topic.replication.factor", "1");
      settings.put("share.coordinator.state.topic.min.isr", "1");
      settings.put("group.initial.rebalance.delay.ms", "0");
      settings.put("group.min.session.timeout.ms", "500");
      settings.put("group.consumer.min.session.timeout.ms", "1000");
      settings.put("group.consumer.min.heartbeat.interval.ms", "100");
      settings.put("auto.create.topics.enable", "false");
      settings.put("log.flush.interval.messages", String.valueOf(Long.MAX_VALUE));
      settings.put("num.network.threads", "2");
      settings.put("num.io.threads", "2");
      settings.put("background.threads", "2");
      return settings;
    }

    void launch() {
      try {
        process = command(List.of("kafka.Kafka", properties.toString()))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log))
            .start();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start the embedded Kafka broker", e);
      }
    }

    void kill() {
      Process running = process;
      if (running != null && running.isAlive()) {
        running.destroyForcibly();
        try {
          running.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }

    private void run(List<String> mainAndArgs, Duration timeout) throws IOException {
      Process tool = command(mainAndArgs).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log))
          .start();
      try {
        if (!tool.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) || tool.exitValue() != 0) {
          tool.destroyForcibly();
          throw new IllegalStateException(mainAndArgs.get(0) + " failed; see " + log);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while running " + mainAndArgs.get(0), e);
      }
    }

    /** The tests' class path holds the broker's jars (test scope), so the child needs nothing else. */
    private ProcessBuilder command(List<String> mainAndArgs) {
      List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xms256m", "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Djava.awt.headless=true",
          "-Dlog4j2.level=WARN", "-cp", System.getProperty("java.class.path")));
      command.addAll(mainAndArgs);
      return new ProcessBuilder(command).directory(directory.toFile());
    }

    private static int freePort() {
      try (ServerSocket socket = new ServerSocket(0)) {
        return socket.getLocalPort();
      } catch (IOException e) {
        throw new UncheckedIOException("no free port for the embedded Kafka broker", e);
      }
    }
  }
}
