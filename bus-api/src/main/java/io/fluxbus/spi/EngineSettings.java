package io.fluxbus.spi;

import io.fluxbus.ConfigException;
import io.fluxbus.DeliveryMode;
import io.micrometer.observation.ObservationRegistry;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The configuration of one engine, read through typed accessors that validate as they read: a wrong type, a bad
 * duration or a non-positive size is a {@link ConfigException} naming where the key is, the engine, the key, the
 * expected type and the value found. After reading, {@link #requireAllRead()} rejects unknown keys and suggests
 * the closest known one. Not thread-safe; used once, while a bus is built.
 */
public final class EngineSettings {

  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ns|us|ms|s|m|h|d)");

  private final String engineName;
  private final String source;
  private final Map<String, Object> values;
  private final Function<String, String> location;
  private final Set<String> read = new LinkedHashSet<>();
  private ObservationRegistry observationRegistry;

  private EngineSettings(String engineName, String source, Map<String, ?> values,
                         Function<String, String> location) {
    this.engineName = Objects.requireNonNull(engineName, "engineName must not be null");
    this.source = source;
    this.values = new LinkedHashMap<>(values);
    this.location = location;
  }

  /**
   * Settings without a file behind them.
   *
   * @param engineName the engine's name, for messages
   * @param source the CloudEvents source for the bus, or null for the engine's default
   * @param values raw values: strings, numbers, booleans, lists, maps
   */
  public static EngineSettings of(String engineName, String source, Map<String, ?> values) {
    return new EngineSettings(engineName, source, values, key -> "");
  }

  /**
   * Settings read from a file.
   *
   * @param location maps a key to where it is written, e.g. {@code "fluxbus.yaml:12:5: "}; prefixed to messages
   */
  public static EngineSettings of(String engineName, String source, Map<String, ?> values,
                                  Function<String, String> location) {
    return new EngineSettings(engineName, source, values, location);
  }

  /**
   * Gives the engine a registry to observe its publishes and deliveries in (not a key of the file: a reader that
   * builds engines for an application passes the application's registry); returns this.
   */
  public EngineSettings observationRegistry(ObservationRegistry observationRegistry) {
    this.observationRegistry = Objects.requireNonNull(observationRegistry, "observationRegistry must not be null");
    return this;
  }

  /** The registry to observe publishes and deliveries in, if the reader was given one. */
  public Optional<ObservationRegistry> observationRegistry() {
    return Optional.ofNullable(observationRegistry);
  }

  /** The engine's name. */
  public String engineName() {
    return engineName;
  }

  /** The CloudEvents source configured for the bus, if any. */
  public Optional<String> source() {
    return Optional.ofNullable(source);
  }

  /** A string value. */
  public Optional<String> string(String key) {
    Object value = take(key);
    if (value == null) {
      return Optional.empty();
    }
    if (value instanceof String || value instanceof Number || value instanceof Boolean) {
      return Optional.of(value.toString());
    }
    throw invalid(key, "a string", value);
  }

  /** One of the allowed words (case-insensitive), returned in lowercase. */
  public Optional<String> oneOf(String key, Collection<String> allowed) {
    return string(key).map(v -> {
      String lower = v.toLowerCase(Locale.ROOT);
      if (!allowed.contains(lower)) {
        throw invalid(key, "one of " + allowed, v);
      }
      return lower;
    });
  }

  /** A positive whole number. */
  public Optional<Integer> positiveInt(String key) {
    Object value = take(key);
    if (value == null) {
      return Optional.empty();
    }
    long number;
    if (value instanceof Integer || value instanceof Long || value instanceof Short) {
      number = ((Number) value).longValue();
    } else if (value instanceof String s && s.trim().matches("-?\\d{1,10}")) {
      number = Long.parseLong(s.trim());
    } else {
      throw invalid(key, "a positive whole number", value);
    }
    if (number < 1 || number > Integer.MAX_VALUE) {
      throw invalid(key, "a positive whole number (1 to " + Integer.MAX_VALUE + ")", value);
    }
    return Optional.of((int) number);
  }

  /** A boolean ({@code true} / {@code false}). */
  public Optional<Boolean> bool(String key) {
    Object value = take(key);
    if (value == null) {
      return Optional.empty();
    }
    if (value instanceof Boolean b) {
      return Optional.of(b);
    }
    if (value instanceof String s && (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false"))) {
      return Optional.of(Boolean.parseBoolean(s));
    }
    throw invalid(key, "true or false", value);
  }

  /**
   * A positive duration: {@code 250ms}, {@code 5s}, {@code 2m}, {@code 1h}, {@code 7d} ({@code ns} and
   * {@code us} too), or ISO-8601 ({@code PT5S}, {@code P7D}).
   */
  public Optional<Duration> duration(String key) {
    Object value = take(key);
    if (value == null) {
      return Optional.empty();
    }
    if (!(value instanceof String text)) {
      throw invalid(key, "a duration such as 250ms, 5s, 7d or PT5S", value);
    }
    Duration duration = parseDuration(text);
    if (duration == null || duration.isNegative() || duration.isZero()) {
      throw invalid(key, "a positive duration such as 250ms, 5s, 2m, 1h, 7d or ISO-8601 PT5S", value);
    }
    return Optional.of(duration);
  }

  /**
   * A delivery mode: {@code drop}, {@code block} or {@code timeout}. A {@code timeout} mode waits for
   * {@code timeout}, which must be given.
   */
  public Optional<DeliveryMode> deliveryMode(String key, Optional<Duration> timeout) {
    return oneOf(key, java.util.List.of("drop", "block", "timeout")).map(mode -> switch (mode) {
      case "drop" -> DeliveryMode.drop();
      case "block" -> DeliveryMode.block();
      default -> DeliveryMode.timeout(timeout.orElseThrow(() -> invalid(key,
          "'timeout' together with publishBlockTimeout (how long to wait)", mode)));
    });
  }

  /** Whether the configuration has {@code key}; does not count as reading it. */
  public boolean has(String key) {
    return values.containsKey(key);
  }

  /**
   * An error about {@code key} that the typed accessors cannot see (a combination of keys, an engine's own rule),
   * starting with where the key is written, like every other error of these settings.
   *
   * @param problem what is wrong and what is allowed
   */
  public ConfigException error(String key, String problem) {
    return new ConfigException(location.apply(key) + "engine '" + engineName + "' key '" + key + "': " + problem);
  }

  /**
   * Rejects every key that no accessor read, naming the closest known key.
   *
   * @throws ConfigException for the first unknown key
   */
  public void requireAllRead() {
    for (String key : values.keySet()) {
      if (!read.contains(key)) {
        String closest = closest(key, read);
        throw new ConfigException(location.apply(key) + "unknown key '" + key + "' for engine '" + engineName
            + "'" + (closest == null ? "" : "; did you mean '" + closest + "'?") + "; known keys: "
            + new TreeSet<>(read));
      }
    }
  }

  /**
   * Parses a duration as described in {@link #duration}; null when the text is not one.
   */
  public static Duration parseDuration(String text) {
    String trimmed = text.trim();
    Matcher m = DURATION.matcher(trimmed);
    if (m.matches()) {
      try {
        long amount = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
          case "ns" -> Duration.ofNanos(amount);
          case "us" -> Duration.ofNanos(Math.multiplyExact(amount, 1000L));
          case "ms" -> Duration.ofMillis(amount);
          case "s" -> Duration.ofSeconds(amount);
          case "m" -> Duration.ofMinutes(amount);
          case "h" -> Duration.ofHours(amount);
          default -> Duration.ofDays(amount);
        };
      } catch (NumberFormatException | ArithmeticException e) {
        return null; // too large to be a Duration; the caller reports it as not a duration
      }
    }
    try {
      return Duration.parse(trimmed.toUpperCase(Locale.ROOT));
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** The known word nearest to {@code word} by edit distance, or null when none is close. */
  public static String closest(String word, Collection<String> known) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : known) {
      int d = distance(word.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT));
      if (d < bestDistance) {
        bestDistance = d;
        best = candidate;
      }
    }
    return best != null && bestDistance <= Math.max(2, word.length() / 3) ? best : null;
  }

  private static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }

  private Object take(String key) {
    read.add(key);
    return values.get(key);
  }

  private ConfigException invalid(String key, String expected, Object value) {
    return new ConfigException(location.apply(key) + "engine '" + engineName + "' key '" + key + "' must be "
        + expected + ", got " + describe(value));
  }

  private static String describe(Object value) {
    String type = value instanceof String ? "string" : value instanceof Number ? "number"
        : value instanceof Boolean ? "boolean" : value instanceof Map ? "map"
        : value instanceof Collection ? "list" : value.getClass().getSimpleName();
    return type + " '" + value + "'";
  }
}
