package io.fluxbus.codec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.fluxbus.CodecException;
import io.fluxbus.Event;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The wire format of Fluxbus: CloudEvents 1.0 JSON, structured mode. {@code type} is the topic, {@code data} the
 * payload as JSON, and the extensions {@code partitionkey}, {@code eventversion} (a number),
 * {@code correlationid}, {@code causationid} carry the rest; each header is one more extension.
 *
 * <p>Decoded payloads are plain JSON values ({@code Map}, {@code List}, {@code String}, numbers, booleans);
 * {@link Event#payloadAs} turns them into the subscriber's type through {@link #convert}. Thread-safe.
 */
public final class EventCodec {

  /** The attributes that are not headers. */
  private static final Set<String> KNOWN = Set.of("specversion", "id", "source", "type", "time", "subject",
      "datacontenttype", "dataschema", "data", "data_base64", "partitionkey", "eventversion", "correlationid",
      "causationid");

  private static final String DEFAULT_SOURCE = "fluxbus";

  private static final EventCodec JSON = new EventCodec(defaultMapper());

  private final ObjectMapper mapper;

  private EventCodec(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  /** The shared codec on a default mapper (JSR-310 times as ISO strings, unknown properties ignored). */
  public static EventCodec json() {
    return JSON;
  }

  /** A codec on the caller's mapper, e.g. one with the application's modules registered. */
  public static EventCodec using(ObjectMapper mapper) {
    return new EventCodec(Objects.requireNonNull(mapper, "mapper must not be null"));
  }

  /** The mapper used for payloads. */
  public ObjectMapper mapper() {
    return mapper;
  }

  /**
   * Encodes an event as a CloudEvents JSON document (UTF-8).
   *
   * @throws CodecException naming the topic and payload type when the payload cannot be written as JSON
   */
  public byte[] encode(Event<?> event) {
    try {
      return mapper.writeValueAsBytes(toNode(event));
    } catch (JsonProcessingException e) {
      throw new CodecException("Cannot encode the payload of event on '" + event.topic() + "' ("
          + event.payload().getClass().getName() + ") as JSON: " + e.getOriginalMessage(), e);
    } catch (IllegalArgumentException e) {
      // ObjectMapper.valueToTree reports serialization failures as IllegalArgumentException.
      throw new CodecException("Cannot encode the payload of event on '" + event.topic() + "' ("
          + event.payload().getClass().getName() + ") as JSON: " + rootMessage(e), e);
    }
  }

  /** Encodes an event as a CloudEvents JSON string; see {@link #encode}. */
  public String encodeToString(Event<?> event) {
    return new String(encode(event), StandardCharsets.UTF_8);
  }

  /**
   * Decodes a CloudEvents JSON document.
   *
   * @throws CodecException naming the attribute that is missing or malformed, or the JSON error and its position
   */
  public Event<Object> decode(byte[] json) {
    JsonNode root;
    try {
      root = mapper.readTree(json);
    } catch (IOException e) {
      throw new CodecException("Cannot decode event: not valid JSON (" + e.getMessage().lines().findFirst()
          .orElse("") + ")", e);
    }
    return fromNode(root);
  }

  /** Decodes a CloudEvents JSON string; see {@link #decode(byte[])}. */
  public Event<Object> decode(String json) {
    return decode(json.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Converts a payload to {@code type} through JSON.
   *
   * @param topic the event's topic, for the error message
   * @throws CodecException naming the topic, the source and the target type
   */
  public <T> T convert(Object payload, Class<T> type, String topic) {
    try {
      return mapper.convertValue(payload, type);
    } catch (IllegalArgumentException e) {
      throw new CodecException("Cannot convert the payload of event on '" + topic + "' from "
          + payload.getClass().getName() + " to " + type.getName() + ": " + rootMessage(e), e);
    }
  }

  private ObjectNode toNode(Event<?> event) {
    ObjectNode node = mapper.createObjectNode();
    node.put("specversion", "1.0");
    node.put("id", event.id());
    node.put("source", event.source() != null ? event.source() : DEFAULT_SOURCE);
    node.put("type", event.topic());
    if (event.time() != null) {
      node.put("time", event.time().toString());
    }
    node.put("datacontenttype", "application/json");
    if (event.key() != null) {
      node.put("partitionkey", event.key());
    }
    node.put("eventversion", event.version());
    node.put("correlationid", event.correlationId());
    if (event.causationId() != null) {
      node.put("causationid", event.causationId());
    }
    event.headers().forEach(node::put);
    node.set("data", mapper.valueToTree(event.payload()));
    return node;
  }

  private Event<Object> fromNode(JsonNode root) {
    if (!root.isObject()) {
      throw new CodecException("Cannot decode event: expected a JSON object, got " + root.getNodeType());
    }
    String spec = text(root, "specversion", true);
    if (!spec.equals("1.0")) {
      throw new CodecException("Cannot decode event: specversion '" + spec + "' is not supported (only 1.0)");
    }
    String id = text(root, "id", true);
    String topic = text(root, "type", true);
    String source = text(root, "source", true);
    Instant time = time(root);
    int version = version(root);
    Map<String, String> headers = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> field : root.properties()) {
      if (!KNOWN.contains(field.getKey()) && !field.getValue().isNull()) {
        headers.put(field.getKey(), field.getValue().isValueNode() ? field.getValue().asText()
            : field.getValue().toString());
      }
    }
    try {
      return new Event<>(id, topic, data(root, topic), text(root, "partitionkey", false), version, source, time,
          text(root, "correlationid", false), text(root, "causationid", false), headers);
    } catch (RuntimeException e) {
      throw new CodecException("Cannot decode event '" + id + "': " + e.getMessage(), e);
    }
  }

  private Object data(JsonNode root, String topic) {
    JsonNode data = root.get("data");
    if (data == null || data.isNull()) {
      JsonNode base64 = root.get("data_base64");
      if (base64 != null && !base64.isNull()) {
        try {
          return base64.binaryValue();
        } catch (IOException e) {
          throw new CodecException("Cannot decode event on '" + topic + "': data_base64 is not base64", e);
        }
      }
      return Map.of();
    }
    try {
      return mapper.treeToValue(data, Object.class);
    } catch (JsonProcessingException e) {
      throw new CodecException("Cannot decode the data of event on '" + topic + "': " + e.getOriginalMessage(), e);
    }
  }

  private static String text(JsonNode root, String name, boolean required) {
    JsonNode value = root.get(name);
    if (value == null || value.isNull()) {
      if (required) {
        throw new CodecException("Cannot decode event: required attribute '" + name + "' is missing");
      }
      return null;
    }
    if (value.getNodeType() != JsonNodeType.STRING) {
      throw new CodecException("Cannot decode event: attribute '" + name + "' must be a string, got "
          + value.getNodeType() + " " + value);
    }
    return value.asText();
  }

  private static Instant time(JsonNode root) {
    String time = text(root, "time", false);
    if (time == null) {
      return null;
    }
    try {
      return OffsetDateTime.parse(time).toInstant();
    } catch (DateTimeParseException e) {
      throw new CodecException("Cannot decode event: attribute 'time' is not an RFC 3339 timestamp: '" + time
          + "'", e);
    }
  }

  private static int version(JsonNode root) {
    JsonNode value = root.get("eventversion");
    if (value == null || value.isNull()) {
      return 1;
    }
    if (value.isIntegralNumber() && value.canConvertToInt() && value.intValue() >= 1) {
      return value.intValue();
    }
    if (value.isTextual() && value.asText().matches("[1-9][0-9]{0,8}")) {
      return Integer.parseInt(value.asText());
    }
    throw new CodecException("Cannot decode event: attribute 'eventversion' must be a positive integer, got "
        + value);
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage();
    return message == null ? root.getClass().getSimpleName() : message.lines().findFirst().orElse(message);
  }

  private static ObjectMapper defaultMapper() {
    return new ObjectMapper()
        .registerModule(new JavaTimeModule())
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
  }
}
