package io.fluxbus.router;

import java.util.List;
import java.util.Map;

/**
 * A parsed YAML value that remembers where it was written, so configuration errors can name file, line and
 * column. Maps keep their key order and the position of each key.
 */
sealed interface YamlNode permits YamlNode.Scalar, YamlNode.Sequence, YamlNode.Mapping {

  /** Where the value starts. */
  Position position();

  /** A description of the value's kind for messages: "a string", "a list", … */
  String kind();

  /**
   * A line and column in a file, 1-based; line 0 for a document that was never text (a map given in code), which
   * is then named by its origin alone.
   *
   * @param file the file's name as given by the caller, or the document's origin
   * @param line the line, or 0
   * @param column the column, or 0
   */
  record Position(String file, int line, int column) {
    @Override
    public String toString() {
      return line == 0 ? file : file + ":" + line + ":" + column;
    }
  }

  /**
   * A string, number, boolean or null.
   *
   * @param value the value: String, Integer, Long, Double, Boolean, or null
   * @param position where it is
   */
  record Scalar(Object value, Position position) implements YamlNode {
    @Override
    public String kind() {
      return value == null ? "null" : value instanceof String ? "a string" : value instanceof Boolean
          ? "a boolean" : "a number";
    }
  }

  /**
   * A list.
   *
   * @param items the items
   * @param position where it starts
   */
  record Sequence(List<YamlNode> items, Position position) implements YamlNode {
    @Override
    public String kind() {
      return "a list";
    }
  }

  /**
   * A map with string keys.
   *
   * @param entries the values by key, in file order
   * @param keys where each key is written
   * @param position where the map starts
   */
  record Mapping(Map<String, YamlNode> entries, Map<String, Position> keys, Position position)
      implements YamlNode {
    @Override
    public String kind() {
      return "a map";
    }
  }
}
