package io.fluxbus.router;

import io.fluxbus.ConfigException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a configuration document given as Java values (maps with string keys, lists, strings, numbers, booleans,
 * null) into {@link YamlNode}s, so that such a document is validated by the same reader, with the same messages,
 * as a YAML file. Every node has the document's one position: messages name its origin and the key's path.
 */
final class PlainDocument {

  private PlainDocument() {}

  /**
   * The nodes of {@code value}.
   *
   * @throws ConfigException for a map key that is not a string or a value of another type, naming its path
   */
  static YamlNode node(Object value, YamlNode.Position at) {
    return node(value, at, "");
  }

  private static YamlNode node(Object value, YamlNode.Position at, String path) {
    if (value instanceof Map<?, ?> map) {
      Map<String, YamlNode> entries = new LinkedHashMap<>();
      Map<String, YamlNode.Position> keys = new LinkedHashMap<>();
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        if (!(entry.getKey() instanceof String key)) {
          throw new ConfigException(at + ": " + path + ": map keys must be strings, got " + entry.getKey());
        }
        entries.put(key, node(entry.getValue(), at, path.isEmpty() ? key : path + "." + key));
        keys.put(key, at);
      }
      return new YamlNode.Mapping(entries, keys, at);
    }
    if (value instanceof Collection<?> items) {
      List<YamlNode> nodes = new ArrayList<>();
      for (Object item : items) {
        nodes.add(node(item, at, path + "[" + nodes.size() + "]"));
      }
      return new YamlNode.Sequence(nodes, at);
    }
    if (value == null || value instanceof String || value instanceof Boolean || value instanceof Integer
        || value instanceof Long || value instanceof Double) {
      return new YamlNode.Scalar(value, at);
    }
    if (value instanceof Number number) {
      return new YamlNode.Scalar(number instanceof Float || number instanceof java.math.BigDecimal
          ? (Object) number.doubleValue() : (Object) number.longValue(), at);
    }
    throw new ConfigException(at + ": " + path + ": unsupported value of type " + value.getClass().getName()
        + "; use strings, numbers, booleans, lists and maps");
  }
}
