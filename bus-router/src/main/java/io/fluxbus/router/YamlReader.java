package io.fluxbus.router;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fluxbus.ConfigException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads one YAML document into {@link YamlNode}s with positions, through Jackson's streaming YAML parser (so
 * syntax errors come with a position too). Duplicate keys are errors.
 */
final class YamlReader {

  private static final YAMLFactory YAML = new YAMLFactory();

  private final String file;

  private YamlReader(String file) {
    this.file = file;
  }

  /**
   * Parses a document; null when it holds nothing.
   *
   * @throws ConfigException naming the position of a syntax error or a duplicate key
   */
  static YamlNode read(String text, String file) {
    YamlReader reader = new YamlReader(file);
    try (JsonParser parser = YAML.createParser(text)) {
      JsonToken first = parser.nextToken();
      if (first == null) {
        return null;
      }
      return reader.value(parser);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      String where = at == null ? file : file + ":" + at.getLineNr() + ":" + at.getColumnNr();
      throw new ConfigException(where + ": not valid YAML: " + e.getOriginalMessage().lines().findFirst()
          .orElse(""), e);
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot read: " + e.getMessage(), e);
    }
  }

  private YamlNode value(JsonParser parser) throws IOException {
    YamlNode.Position at = position(parser.currentTokenLocation());
    JsonToken token = parser.currentToken();
    switch (token) {
      case START_OBJECT -> {
        Map<String, YamlNode> entries = new LinkedHashMap<>();
        Map<String, YamlNode.Position> keys = new LinkedHashMap<>();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
          String key = parser.currentName();
          YamlNode.Position keyAt = position(parser.currentTokenLocation());
          if (keys.containsKey(key)) {
            throw new ConfigException(keyAt + ": key '" + key + "' appears twice (first at line "
                + keys.get(key).line() + ")");
          }
          parser.nextToken();
          keys.put(key, keyAt);
          entries.put(key, value(parser));
        }
        return new YamlNode.Mapping(entries, keys, at);
      }
      case START_ARRAY -> {
        List<YamlNode> items = new ArrayList<>();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
          items.add(value(parser));
        }
        return new YamlNode.Sequence(items, at);
      }
      case VALUE_STRING -> {
        return new YamlNode.Scalar(parser.getText(), at);
      }
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
        return new YamlNode.Scalar(parser.getNumberValue(), at);
      }
      case VALUE_TRUE, VALUE_FALSE -> {
        return new YamlNode.Scalar(parser.getBooleanValue(), at);
      }
      case VALUE_NULL -> {
        return new YamlNode.Scalar(null, at);
      }
      default -> throw new ConfigException(at + ": unsupported YAML value " + token);
    }
  }

  private YamlNode.Position position(JsonLocation location) {
    return new YamlNode.Position(file, location.getLineNr(), location.getColumnNr());
  }
}
