package io.fluxbus.examples.gateway;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How the gateway runs: which bus configuration it loads, where it listens, and its limits. Read from command-line
 * flags, which win over environment variables, which win over the defaults.
 *
 * @param config the YAML bus configuration ({@code --config}, {@code FLUXBUS_CONFIG}); null for the built-in one
 *     (a single memory engine)
 * @param host the address to listen on ({@code --host}, {@code FLUXBUS_HOST}; all interfaces by default)
 * @param port the port ({@code --port}, {@code PORT}; 8080 by default; 0 picks a free one)
 * @param maxBodyBytes the largest request body or WebSocket frame accepted ({@code --max-body},
 *     {@code FLUXBUS_MAX_BODY}; 1 MiB by default)
 * @param heartbeat how often an idle event stream gets a comment line, so proxies keep it open and a vanished
 *     client is noticed
 * @param idleTimeout how long a connection may go without a complete request head while no request is under way:
 *     an idle connection, and one whose head trickles in, is closed past it ({@code --idle-timeout},
 *     {@code FLUXBUS_IDLE_TIMEOUT}; 60 s by default)
 * @param requestTimeout how long a request's body may take to arrive once its head has; past it the gateway answers
 *     408 and closes ({@code --request-timeout}, {@code FLUXBUS_REQUEST_TIMEOUT}; 30 s by default). Event streams
 *     and WebSockets, once open, are limited by neither
 * @param help true when {@code --help} was given
 */
public record GatewaySettings(Path config, String host, int port, int maxBodyBytes, Duration heartbeat,
                              Duration idleTimeout, Duration requestTimeout, boolean help) {

  /** The port when none is given. */
  public static final int DEFAULT_PORT = 8080;

  /** The body limit when none is given: 1 MiB. */
  public static final int DEFAULT_MAX_BODY = 1 << 20;

  /** The idle timeout when none is given. */
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);

  /** The request timeout when none is given. */
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);

  private static final String FLAGS = "--config, --port, --host, --max-body, --idle-timeout, --request-timeout "
      + "and --help";

  private static final Pattern DURATION = Pattern.compile("(\\d{1,9})\\s*(ms|s|m)?");

  private static final Pattern SIZE = Pattern.compile("(\\d{1,10})\\s*(b|k|kb|kib|m|mb|mib)?");

  /** The usage text printed for {@code --help} and after a bad flag. */
  public static final String USAGE = """
      usage: fluxbus-gateway [--config FILE] [--port N] [--host ADDRESS] [--max-body SIZE]
                             [--idle-timeout TIME] [--request-timeout TIME] [--help]
        --config FILE    bus configuration (YAML, see the README); env FLUXBUS_CONFIG; default: one memory engine
        --port N         port to listen on; env PORT; default 8080; 0 picks a free port
        --host ADDRESS   address to listen on; env FLUXBUS_HOST; default 0.0.0.0 (all interfaces)
        --max-body SIZE  largest request body or WebSocket frame, e.g. 65536, 64k, 1m; env FLUXBUS_MAX_BODY;
                         default 1m
        --idle-timeout TIME     close a connection that sends no complete request head for this long (idle,
                                or trickling), e.g. 60s, 500ms, 2m; env FLUXBUS_IDLE_TIMEOUT; default 60s
        --request-timeout TIME  answer 408 when a request's body takes longer to arrive after its head;
                                env FLUXBUS_REQUEST_TIMEOUT; default 30s""";

  /**
   * Validates the settings.
   *
   * @throws IllegalArgumentException naming the setting and the value when a value is out of range
   */
  public GatewaySettings {
    Objects.requireNonNull(host, "host must not be null");
    Objects.requireNonNull(heartbeat, "heartbeat must not be null");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port: " + port + " is not a port; use 0 to 65535");
    }
    if (maxBodyBytes < 1) {
      throw new IllegalArgumentException("max-body: " + maxBodyBytes + " is not a size; use 1 byte or more");
    }
    if (heartbeat.isNegative() || heartbeat.isZero()) {
      throw new IllegalArgumentException("heartbeat: " + heartbeat + " must be positive");
    }
    Objects.requireNonNull(idleTimeout, "idleTimeout must not be null");
    Objects.requireNonNull(requestTimeout, "requestTimeout must not be null");
    if (idleTimeout.toMillis() < 1 || requestTimeout.toMillis() < 1) {
      throw new IllegalArgumentException("timeouts must be 1 ms or more: idle " + idleTimeout + ", request "
          + requestTimeout);
    }
  }

  /**
   * The built-in configuration on all interfaces, port 8080, 1 MiB bodies, a heartbeat every 15 s, 60 s idle and
   * 30 s request timeouts.
   */
  public static GatewaySettings defaults() {
    return new GatewaySettings(null, "0.0.0.0", DEFAULT_PORT, DEFAULT_MAX_BODY, Duration.ofSeconds(15),
        DEFAULT_IDLE_TIMEOUT, DEFAULT_REQUEST_TIMEOUT, false);
  }

  /**
   * Reads the settings from flags ({@code --name value} or {@code --name=value}) and the environment.
   *
   * @throws IllegalArgumentException naming the flag or variable and the value, when one is unknown or invalid
   */
  public static GatewaySettings parse(List<String> args, Map<String, String> env) {
    GatewaySettings settings = defaults();
    settings = apply(settings, "FLUXBUS_CONFIG", env.get("FLUXBUS_CONFIG"));
    settings = apply(settings, "PORT", env.get("PORT"));
    settings = apply(settings, "FLUXBUS_HOST", env.get("FLUXBUS_HOST"));
    settings = apply(settings, "FLUXBUS_MAX_BODY", env.get("FLUXBUS_MAX_BODY"));
    settings = apply(settings, "FLUXBUS_IDLE_TIMEOUT", env.get("FLUXBUS_IDLE_TIMEOUT"));
    settings = apply(settings, "FLUXBUS_REQUEST_TIMEOUT", env.get("FLUXBUS_REQUEST_TIMEOUT"));
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (arg.equals("--help") || arg.equals("-h")) {
        settings = new GatewaySettings(settings.config, settings.host, settings.port, settings.maxBodyBytes,
            settings.heartbeat, settings.idleTimeout, settings.requestTimeout, true);
        continue;
      }
      if (!arg.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument '" + arg + "'; flags are " + FLAGS);
      }
      int equals = arg.indexOf('=');
      String flag = equals < 0 ? arg : arg.substring(0, equals);
      String value;
      if (equals >= 0) {
        value = arg.substring(equals + 1);
      } else if (i + 1 < args.size()) {
        value = args.get(++i);
      } else {
        throw new IllegalArgumentException(flag + ": a value is missing");
      }
      settings = apply(settings, flag, value);
    }
    return settings;
  }

  /** These settings listening on another port. */
  public GatewaySettings withPort(int port) {
    return new GatewaySettings(config, host, port, maxBodyBytes, heartbeat, idleTimeout, requestTimeout, help);
  }

  /** These settings listening on another address. */
  public GatewaySettings withHost(String host) {
    return new GatewaySettings(config, host, port, maxBodyBytes, heartbeat, idleTimeout, requestTimeout, help);
  }

  /** These settings loading another configuration file. */
  public GatewaySettings withConfig(Path config) {
    return new GatewaySettings(config, host, port, maxBodyBytes, heartbeat, idleTimeout, requestTimeout, help);
  }

  /** These settings with another body limit. */
  public GatewaySettings withMaxBodyBytes(int maxBodyBytes) {
    return new GatewaySettings(config, host, port, maxBodyBytes, heartbeat, idleTimeout, requestTimeout, help);
  }

  /** These settings with another heartbeat interval. */
  public GatewaySettings withHeartbeat(Duration heartbeat) {
    return new GatewaySettings(config, host, port, maxBodyBytes, heartbeat, idleTimeout, requestTimeout, help);
  }

  /** These settings with another idle timeout. */
  public GatewaySettings withIdleTimeout(Duration idleTimeout) {
    return new GatewaySettings(config, host, port, maxBodyBytes, heartbeat, idleTimeout, requestTimeout, help);
  }

  /** These settings with another request timeout. */
  public GatewaySettings withRequestTimeout(Duration requestTimeout) {
    return new GatewaySettings(config, host, port, maxBodyBytes, heartbeat, idleTimeout, requestTimeout, help);
  }

  private static GatewaySettings apply(GatewaySettings settings, String name, String value) {
    if (value == null) {
      return settings;
    }
    return switch (name) {
      case "--config", "FLUXBUS_CONFIG" -> {
        if (value.isBlank()) {
          throw new IllegalArgumentException(name + ": the file name is empty");
        }
        yield settings.withConfig(Path.of(value));
      }
      case "--port", "PORT" -> settings.withPort(port(name, value));
      case "--host", "FLUXBUS_HOST" -> {
        if (value.isBlank()) {
          throw new IllegalArgumentException(name + ": the address is empty");
        }
        yield settings.withHost(value.trim());
      }
      case "--max-body", "FLUXBUS_MAX_BODY" -> settings.withMaxBodyBytes(size(name, value));
      case "--idle-timeout", "FLUXBUS_IDLE_TIMEOUT" -> settings.withIdleTimeout(duration(name, value));
      case "--request-timeout", "FLUXBUS_REQUEST_TIMEOUT" -> settings.withRequestTimeout(duration(name, value));
      default -> throw new IllegalArgumentException("unknown flag '" + name + "'; flags are " + FLAGS);
    };
  }

  private static int port(String name, String value) {
    String text = value.trim();
    if (text.matches("\\d{1,5}") && Integer.parseInt(text) <= 65535) {
      return Integer.parseInt(text);
    }
    throw new IllegalArgumentException(name + ": '" + value + "' is not a port; use 0 to 65535");
  }

  private static Duration duration(String name, String value) {
    Matcher m = DURATION.matcher(value.trim().toLowerCase(Locale.ROOT));
    if (m.matches() && Long.parseLong(m.group(1)) > 0) {
      long amount = Long.parseLong(m.group(1));
      return switch (m.group(2) == null ? "s" : m.group(2)) {
        case "ms" -> Duration.ofMillis(amount);
        case "m" -> Duration.ofMinutes(amount);
        default -> Duration.ofSeconds(amount);
      };
    }
    throw new IllegalArgumentException(name + ": '" + value + "' is not a duration; use seconds (30) or ms / s / m "
        + "(500ms, 30s, 2m), more than zero");
  }

  private static int size(String name, String value) {
    Matcher m = SIZE.matcher(value.trim().toLowerCase(Locale.ROOT));
    if (m.matches()) {
      long unit = switch (m.group(2) == null ? "b" : m.group(2)) {
        case "k", "kb", "kib" -> 1L << 10;
        case "m", "mb", "mib" -> 1L << 20;
        default -> 1L;
      };
      long bytes = Long.parseLong(m.group(1)) * unit;
      if (bytes >= 1 && bytes <= Integer.MAX_VALUE) {
        return (int) bytes;
      }
    }
    throw new IllegalArgumentException(name + ": '" + value + "' is not a size; use bytes (65536) or k / m "
        + "(64k, 1m), from 1 byte to 2047m");
  }
}
