package io.fluxbus.examples.gateway;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.fluxbus.InvalidPatternException;
import io.fluxbus.InvalidTopicException;
import io.fluxbus.SubscribeOptions;
import io.fluxbus.TopicPattern;
import io.fluxbus.Topics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Checks what clients send, the same way for HTTP and WebSocket: each check returns the value or throws
 * {@link RequestRejected} with a 400 that names the input, the offending value and what is allowed.
 */
final class Inputs {

  /**
   * How deep a payload may nest arrays and objects. Checked at publish so that what is accepted is deliverable:
   * the CloudEvents envelope adds a level, and writers refuse documents past their own limit (Jackson's is 1000).
   */
  static final int MAX_DEPTH = 128;

  /** Reads WebSocket messages, which carry the payload one level down. */
  static final ObjectMapper MESSAGES = mapper(MAX_DEPTH + 1);

  private static final ObjectReader JSON = mapper(MAX_DEPTH).readerFor(Object.class)
      .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private Inputs() {}

  static String topic(String topic) {
    try {
      return Topics.requireValid(topic);
    } catch (InvalidTopicException | NullPointerException e) {
      throw rejected("invalid_topic", topic == null ? "the topic is missing" : e.getMessage(), topic);
    }
  }

  static String pattern(String pattern) {
    try {
      return TopicPattern.of(pattern).value();
    } catch (InvalidPatternException | NullPointerException e) {
      throw rejected("invalid_pattern", pattern == null ? "the pattern is missing" : e.getMessage(), pattern);
    }
  }

  /** Subscribe options for a stream: async, in the group when one is named. */
  static SubscribeOptions streamOptions(String group) {
    SubscribeOptions options = SubscribeOptions.defaults().async(true);
    if (group == null) {
      return options;
    }
    if (group.isBlank() || group.length() > 100 || group.chars().anyMatch(Character::isISOControl)) {
      throw rejected("invalid_group", "group '" + group + "' is not a group name; use 1 to 100 characters, "
          + "not all blank, without control characters", group);
    }
    return options.group(group);
  }

  /** An event version from a header or a field: a whole number from 1. */
  static Integer version(String text, String where) {
    if (text == null) {
      return null;
    }
    String trimmed = text.trim();
    if (trimmed.matches("[1-9]\\d{0,8}")) {
      return Integer.valueOf(trimmed);
    }
    throw rejected("invalid_version", where + ": '" + text + "' is not an event version; use a whole number "
        + "from 1", text);
  }

  /** Optional text from a header or a field: null when absent, rejected when blank or longer than 200. */
  static String optionalText(String text, String where) {
    if (text == null) {
      return null;
    }
    if (text.isBlank() || text.length() > 200) {
      throw rejected("invalid_header", where + ": '" + text + "' must be 1 to 200 characters, not all blank",
          text);
    }
    return text;
  }

  /**
   * {@code value} when it has no control character (below U+0020, or U+007F): such a character in an attribute
   * would split the lines of an SSE message or a log line the attribute is written to.
   *
   * @throws RequestRejected with 400 {@code invalid_cloudevent} naming {@code where} and the character's index
   */
  static String controlFree(String value, String where) {
    if (value == null) {
      return null;
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c == 0x7F) {
        throw rejected("invalid_cloudevent", where + " has the control character U+"
            + String.format("%04X", (int) c) + " at index " + i + "; attribute values must not contain control "
            + "characters", where);
      }
    }
    return value;
  }

  /** A payload: one JSON value (object, array, string, number, boolean), not null, nothing after it. */
  static Object payload(byte[] body) {
    if (body.length == 0) {
      throw rejected("empty_body", "the body is empty; send the event's payload as JSON, e.g. {\"id\": 42}", "");
    }
    Object payload;
    try {
      payload = JSON.readValue(body);
    } catch (StreamConstraintsException e) {
      throw tooDeep(new String(body, StandardCharsets.UTF_8));
    } catch (JsonProcessingException e) {
      throw rejected("invalid_json", "the body is not valid JSON: " + e.getOriginalMessage() + where(e),
          new String(body, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw rejected("invalid_json", "the body cannot be read as JSON: " + e.getMessage(),
          new String(body, StandardCharsets.UTF_8));
    }
    if (payload == null) {
      throw rejected("invalid_json", "the body is JSON null; an event needs a payload (use {} for none)", "null");
    }
    return payload;
  }

  /** The answer for a payload nested deeper than {@link #MAX_DEPTH}. */
  static RequestRejected tooDeep(String value) {
    return rejected("payload_too_deep", "the payload nests arrays and objects more than " + MAX_DEPTH
        + " levels deep; the limit keeps every accepted event deliverable on every transport", value);
  }

  static RequestRejected rejected(String error, String message, String value) {
    return new RequestRejected(ApiError.badRequest(error, message, value));
  }

  /**
   * A mapper that reads JSON faithfully or not at all: numbers with a fraction or exponent as {@code BigDecimal}
   * (so {@code 1e400} and {@code 0.10000000000000000555} are carried as written, not as infinity or rounded), and
   * a key given twice in one object refused rather than the last kept; text after the value is refused too.
   */
  private static ObjectMapper mapper(int maxDepth) {
    JsonFactory factory = JsonFactory.builder()
        .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(maxDepth).build())
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .build();
    return JsonMapper.builder(factory)
        .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS, DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
        .build();
  }

  private static String where(JsonProcessingException e) {
    JsonLocation at = e.getLocation();
    return at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
  }
}
