package io.fluxbus.router;

import io.micrometer.observation.ObservationRegistry;
import io.fluxbus.ConfigException;
import io.fluxbus.EventBus;
import io.fluxbus.InvalidPatternException;
import io.fluxbus.TopicPattern;
import io.fluxbus.spi.EngineProvider;
import io.fluxbus.spi.EngineSettings;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Turns a configuration document into an {@link EngineRouter}, validating as it goes: every error is a
 * {@link ConfigException} that starts with {@code file:line:column:}, names the key by its path
 * ({@code engines[1].config.bufferSize}) and says what is allowed.
 *
 * <p>Two shapes are read. The full one has {@code source}, {@code defaultEngine}, {@code engines[]}
 * ({@code name}, {@code type}, {@code config}) and {@code routing[]} ({@code topics}, {@code engine}). The
 * single-engine one, as the Go modular eventbus writes it, has {@code engine: <type>} and that engine's keys at
 * the top level; the Go module's names {@code defaultEventBufferSize} and {@code workerCount} are read as
 * {@code bufferSize} and {@code workers}, and its keys without an equivalent here are ignored with a warning.
 */
final class RouterConfigReader {

  private static final Set<String> TOP_LEVEL = Set.of("source", "defaultEngine", "engines", "routing");
  private static final Set<String> ENGINE_KEYS = Set.of("name", "type", "config");
  private static final Set<String> RULE_KEYS = Set.of("topics", "engine");
  private static final Map<String, String> GO_ALIASES = Map.of(
      "defaultEventBufferSize", "bufferSize",
      "workerCount", "workers",
      "externalBrokerURL", "url");
  private static final Set<String> GO_IGNORED = Set.of("maxEventQueueSize", "eventTTL", "retentionDays",
      "rotateSubscriberOrder");

  private final Variables variables;
  private final Map<String, EngineProvider> providers;
  private final List<String> warnings = new ArrayList<>();
  private ObservationRegistry observationRegistry;

  RouterConfigReader(Variables variables, Iterable<EngineProvider> providers) {
    this.variables = variables;
    this.providers = new LinkedHashMap<>();
    for (EngineProvider provider : providers) {
      if (this.providers.putIfAbsent(provider.type(), provider) != null) {
        warnings.add("two engine providers of type '" + provider.type() + "' on the class path; using "
            + this.providers.get(provider.type()).getClass().getName());
      }
    }
  }

  static RouterConfigReader fromClassPath() {
    return new RouterConfigReader(Variables.fromSystem(), ServiceLoader.load(EngineProvider.class));
  }

  /** Gives every engine read from now on {@code registry} to observe its publishes and deliveries in; returns this. */
  RouterConfigReader observedBy(ObservationRegistry registry) {
    this.observationRegistry = registry;
    return this;
  }

  EngineRouter read(String text, String file) {
    return read(YamlReader.read(text, file), file);
  }

  /** Reads a document given as plain maps, lists and scalars; messages name {@code origin} instead of a line. */
  EngineRouter read(Map<String, ?> document, String origin) {
    return read(PlainDocument.node(document, new YamlNode.Position(origin, 0, 0)), origin);
  }

  private EngineRouter read(YamlNode root, String file) {
    if (root == null) {
      throw new ConfigException(file + ": the file is empty; expected a map with 'engines' and 'routing' "
          + "(or 'engine: memory')");
    }
    YamlNode.Mapping top = mapping(root, "the top level");
    return top.entries().containsKey("engine") ? readSingle(top) : readFull(top);
  }

  private EngineRouter readFull(YamlNode.Mapping top) {
    rejectUnknown(top, TOP_LEVEL, "", "the top level");
    String source = optionalString(top, "source", "source");
    YamlNode enginesNode = top.entries().get("engines");
    if (enginesNode == null) {
      throw new ConfigException(top.position() + ": no engine configured; add 'engines:' (a list of name, type, "
          + "config) or 'engine: memory' for a single engine");
    }
    YamlNode.Sequence engineList = sequence(enginesNode, "engines");
    if (engineList.items().isEmpty()) {
      throw new ConfigException(engineList.position() + ": engines: the list is empty; at least one engine is "
          + "needed");
    }
    EngineRouter.Builder builder = EngineRouter.builder();
    Map<String, YamlNode.Position> names = new LinkedHashMap<>();
    for (int i = 0; i < engineList.items().size(); i++) {
      String path = "engines[" + i + "]";
      YamlNode.Mapping engine = mapping(engineList.items().get(i), path);
      rejectUnknown(engine, ENGINE_KEYS, path + ".", path);
      String name = requiredString(engine, "name", path + ".name");
      YamlNode.Position nameAt = engine.keys().get("name");
      if (!name.matches("[A-Za-z][A-Za-z0-9_-]*")) {
        throw new ConfigException(nameAt + ": " + path + ".name: '" + name + "' is not a valid engine name; "
            + "use a letter followed by letters, digits, '_' or '-'");
      }
      if (names.containsKey(name)) {
        throw new ConfigException(nameAt + ": " + path + ".name: engine '" + name + "' is defined twice (first "
            + (nameAt.line() == 0 ? "earlier in the list" : "at line " + names.get(name).line())
            + "); engine names are unique");
      }
      names.put(name, nameAt);
      String type = requiredString(engine, "type", path + ".type");
      YamlNode config = engine.entries().get("config");
      YamlNode.Mapping configMap = config == null || isNull(config) ? null : mapping(config, path + ".config");
      builder.engine(name, create(name, type, engine.keys().get("type"), path, configMap, source, engine));
    }
    String defaultEngine = optionalString(top, "defaultEngine", "defaultEngine");
    if (defaultEngine != null) {
      requireEngine(defaultEngine, names.keySet(), top.keys().get("defaultEngine"), "defaultEngine");
      builder.defaultEngine(defaultEngine);
    }
    YamlNode routing = top.entries().get("routing");
    if (routing != null && !isNull(routing)) {
      readRules(sequence(routing, "routing"), names.keySet(), builder);
    }
    warnings.forEach(builder::warning);
    return builder.build();
  }

  private void readRules(YamlNode.Sequence routing, Set<String> engines, EngineRouter.Builder builder) {
    for (int i = 0; i < routing.items().size(); i++) {
      String path = "routing[" + i + "]";
      YamlNode.Mapping rule = mapping(routing.items().get(i), path);
      rejectUnknown(rule, RULE_KEYS, path + ".", path);
      String engine = requiredString(rule, "engine", path + ".engine");
      requireEngine(engine, engines, rule.keys().get("engine"), path + ".engine");
      YamlNode topics = rule.entries().get("topics");
      if (topics == null) {
        throw new ConfigException(rule.position() + ": " + path + ": missing key 'topics' (a pattern or a list of "
            + "patterns)");
      }
      List<YamlNode> items = topics instanceof YamlNode.Sequence list ? list.items() : List.of(topics);
      if (items.isEmpty()) {
        throw new ConfigException(topics.position() + ": " + path + ".topics: the list is empty; give at least "
            + "one pattern");
      }
      String[] patterns = new String[items.size()];
      for (int j = 0; j < items.size(); j++) {
        String where = path + ".topics" + (topics instanceof YamlNode.Sequence ? "[" + j + "]" : "");
        String pattern = string(items.get(j), where);
        try {
          patterns[j] = TopicPattern.of(pattern).value();
        } catch (InvalidPatternException e) {
          throw new ConfigException(items.get(j).position() + ": " + where + ": " + e.getMessage(), e);
        }
      }
      builder.route(engine, patterns);
    }
  }

  private EngineRouter readSingle(YamlNode.Mapping top) {
    if (top.entries().containsKey("engines") || top.entries().containsKey("routing")) {
      YamlNode.Position at = top.keys().getOrDefault("engines", top.keys().get("routing"));
      throw new ConfigException(at + ": 'engine' (one engine, Go style) and 'engines'/'routing' (several) cannot "
          + "be mixed; use one form");
    }
    String type = requiredString(top, "engine", "engine");
    String source = optionalString(top, "source", "source");
    Map<String, YamlNode> config = new LinkedHashMap<>();
    Map<String, YamlNode.Position> keys = new LinkedHashMap<>();
    for (Map.Entry<String, YamlNode> entry : top.entries().entrySet()) {
      String key = entry.getKey();
      if (key.equals("engine") || key.equals("source") || key.equals("defaultEngine")) {
        continue;
      }
      YamlNode.Position at = top.keys().get(key);
      if (GO_IGNORED.contains(key)) {
        warnings.add(at + ": key '" + key + "' of the Go modular eventbus has no equivalent in Fluxbus's '"
            + type + "' engine; ignored");
        continue;
      }
      String name = GO_ALIASES.getOrDefault(key, key);
      config.put(name, entry.getValue());
      keys.put(name, at);
    }
    YamlNode.Mapping configMap = new YamlNode.Mapping(config, keys, top.position());
    EngineRouter.Builder builder = EngineRouter.builder()
        .engine(type, create(type, type, top.keys().get("engine"), "", configMap, source, top));
    warnings.forEach(builder::warning);
    return builder.build();
  }

  private EventBus create(String name, String type, YamlNode.Position typeAt, String path,
                          YamlNode.Mapping config, String source, YamlNode.Mapping engine) {
    EngineProvider provider = providers.get(type);
    if (provider == null) {
      String closest = EngineSettings.closest(type, providers.keySet());
      throw new ConfigException(typeAt + ": " + (path.isEmpty() ? "engine" : path + ".type") + ": unknown engine "
          + "type '" + type + "' for engine '" + name + "'" + (closest == null ? "" : "; did you mean '" + closest
          + "'?") + " Types on the class path: " + new TreeSet<>(providers.keySet()));
    }
    Map<String, Object> values = new LinkedHashMap<>();
    String prefix = path.isEmpty() ? "" : path + ".config.";
    if (config != null) {
      for (Map.Entry<String, YamlNode> entry : config.entries().entrySet()) {
        values.put(entry.getKey(), plain(entry.getValue(), prefix + entry.getKey()));
      }
    }
    Function<String, String> location = key -> {
      YamlNode.Position at = config != null && config.keys().containsKey(key) ? config.keys().get(key)
          : config != null ? config.position() : engine.position();
      return at + ": " + prefix + key + ": ";
    };
    try {
      EngineSettings settings = EngineSettings.of(name, source, values, location);
      if (observationRegistry != null) {
        settings.observationRegistry(observationRegistry);
      }
      return provider.create(settings);
    } catch (ConfigException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new ConfigException(engine.position() + ": " + (path.isEmpty() ? "engine" : path) + ": engine '"
          + name + "' (" + type + ") rejected its configuration: " + e.getMessage(), e);
    }
  }

  /** A YAML value as the plain Java value engines read, with variables substituted in strings. */
  private Object plain(YamlNode node, String path) {
    if (node instanceof YamlNode.Scalar scalar) {
      return scalar.value() instanceof String s ? variables.substitute(s, scalar.position() + ": " + path)
          : scalar.value();
    }
    if (node instanceof YamlNode.Sequence list) {
      List<Object> items = new ArrayList<>();
      for (int i = 0; i < list.items().size(); i++) {
        items.add(plain(list.items().get(i), path + "[" + i + "]"));
      }
      return items;
    }
    YamlNode.Mapping map = (YamlNode.Mapping) node;
    Map<String, Object> values = new LinkedHashMap<>();
    map.entries().forEach((key, value) -> values.put(key, plain(value, path + "." + key)));
    return values;
  }

  private void requireEngine(String name, Set<String> engines, YamlNode.Position at, String path) {
    if (!engines.contains(name)) {
      String closest = EngineSettings.closest(name, engines);
      throw new ConfigException(at + ": " + path + ": unknown engine '" + name + "'"
          + (closest == null ? "" : "; did you mean '" + closest + "'?") + " Engines: " + engines);
    }
  }

  private void rejectUnknown(YamlNode.Mapping map, Set<String> allowed, String prefix, String where) {
    for (String key : map.entries().keySet()) {
      if (!allowed.contains(key)) {
        String closest = EngineSettings.closest(key, allowed);
        throw new ConfigException(map.keys().get(key) + ": " + prefix + key + ": unknown key '" + key + "' in "
            + where + (closest == null ? "" : "; did you mean '" + closest + "'?") + " Allowed: "
            + new TreeSet<>(allowed));
      }
    }
  }

  private String requiredString(YamlNode.Mapping map, String key, String path) {
    YamlNode node = map.entries().get(key);
    if (node == null || isNull(node)) {
      throw new ConfigException(map.position() + ": " + path + ": missing required key '" + key + "'");
    }
    return string(node, path);
  }

  private String optionalString(YamlNode.Mapping map, String key, String path) {
    YamlNode node = map.entries().get(key);
    return node == null || isNull(node) ? null : string(node, path);
  }

  private String string(YamlNode node, String path) {
    if (node instanceof YamlNode.Scalar scalar && scalar.value() instanceof String text) {
      String value = variables.substitute(text, node.position() + ": " + path);
      if (value.isBlank()) {
        throw new ConfigException(node.position() + ": " + path + ": must not be blank");
      }
      return value;
    }
    throw new ConfigException(node.position() + ": " + path + ": must be a string, got " + node.kind()
        + (node instanceof YamlNode.Scalar s ? " '" + s.value() + "'" : ""));
  }

  private static YamlNode.Mapping mapping(YamlNode node, String path) {
    if (node instanceof YamlNode.Mapping map) {
      return map;
    }
    throw new ConfigException(node.position() + ": " + path + ": must be a map of keys to values, got "
        + node.kind());
  }

  private static YamlNode.Sequence sequence(YamlNode node, String path) {
    if (node instanceof YamlNode.Sequence list) {
      return list;
    }
    throw new ConfigException(node.position() + ": " + path + ": must be a list, got " + node.kind());
  }

  private static boolean isNull(YamlNode node) {
    return node instanceof YamlNode.Scalar scalar && scalar.value() == null;
  }
}
