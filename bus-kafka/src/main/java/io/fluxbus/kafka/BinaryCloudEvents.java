package io.fluxbus.kafka;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fluxbus.CodecException;
import io.fluxbus.Event;
import io.fluxbus.codec.EventCodec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Events as Kafka records in the CloudEvents Kafka protocol binding's <em>binary</em> content mode: the attributes
 * are {@code ce_*} headers ({@code ce_type} is the Fluxbus topic, {@code ce_partitionkey} the key, and the
 * extensions {@code ce_eventversion}, {@code ce_correlationid}, {@code ce_causationid} and one {@code ce_<name>} per
 * event header), {@code content-type} is {@code application/json}, the record's value is the payload as JSON and the
 * record's key is the event's key. One more header that is not an attribute, {@code fluxbus_origin}, names the bus
 * that published the record, so that its own reader passes it by. Thread-safe.
 */
final class BinaryCloudEvents {

  static final String ORIGIN = "fluxbus_origin";
  static final String TYPE = "ce_type";
  static final String CONTENT_TYPE = "content-type";
  private static final String PREFIX = "ce_";
  private static final String JSON = "application/json";

  private final EventCodec codec;
  private final ObjectMapper mapper;

  BinaryCloudEvents(EventCodec codec) {
    this.codec = codec;
    this.mapper = codec.mapper();
  }

  /** The record's value: the payload as JSON. */
  byte[] value(Event<?> event) {
    try {
      return mapper.writeValueAsBytes(event.payload());
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw new CodecException("Cannot encode the payload of event on '" + event.topic() + "' ("
          + event.payload().getClass().getName() + ") as JSON: " + e.getMessage().lines().findFirst().orElse(""), e);
    }
  }

  /** The record's key: the event's key in UTF-8, or null. */
  static byte[] key(Event<?> event) {
    return event.key() == null ? null : event.key().getBytes(StandardCharsets.UTF_8);
  }

  /** The record's headers for a stamped event (id, time and source set); {@code origin} may be null. */
  static Headers headers(Event<?> event, String origin) {
    RecordHeaders headers = new RecordHeaders();
    put(headers, "ce_specversion", "1.0");
    put(headers, "ce_id", event.id());
    put(headers, "ce_source", event.source());
    put(headers, TYPE, event.topic());
    if (event.time() != null) {
      put(headers, "ce_time", event.time().toString());
    }
    put(headers, CONTENT_TYPE, JSON);
    if (event.key() != null) {
      put(headers, "ce_partitionkey", event.key());
    }
    put(headers, "ce_eventversion", Integer.toString(event.version()));
    if (event.correlationId() != null) {
      put(headers, "ce_correlationid", event.correlationId());
    }
    if (event.causationId() != null) {
      put(headers, "ce_causationid", event.causationId());
    }
    event.headers().forEach((name, value) -> put(headers, PREFIX + name, value));
    if (origin != null) {
      put(headers, ORIGIN, origin);
    }
    return headers;
  }

  /**
   * Reads an event from a record's headers and value.
   *
   * @throws CodecException naming the attribute that is missing or malformed, or the JSON error
   */
  Event<Object> decode(Headers headers, byte[] value) {
    Map<String, String> attributes = new LinkedHashMap<>();
    String contentType = null;
    for (Header header : headers) {
      if (header.key().startsWith(PREFIX) && header.value() != null) {
        attributes.put(header.key().substring(PREFIX.length()), new String(header.value(), StandardCharsets.UTF_8));
      } else if (header.key().equalsIgnoreCase(CONTENT_TYPE) && header.value() != null) {
        contentType = new String(header.value(), StandardCharsets.UTF_8);
      }
    }
    String spec = required(attributes, "specversion");
    if (!spec.equals("1.0")) {
      throw new CodecException("Cannot decode event: ce_specversion '" + spec + "' is not supported (only 1.0)");
    }
    String id = required(attributes, "id");
    String topic = required(attributes, "type");
    String source = required(attributes, "source");
    Instant time = time(attributes.remove("time"));
    int version = version(attributes.remove("eventversion"));
    String key = attributes.remove("partitionkey");
    String correlation = attributes.remove("correlationid");
    String causation = attributes.remove("causationid");
    attributes.remove("subject");
    attributes.remove("dataschema");
    Object payload = payload(value, contentType, topic);
    try {
      return new Event<>(id, topic, payload, key, version, source, time, correlation, causation, attributes);
    } catch (RuntimeException e) {
      throw new CodecException("Cannot decode event '" + id + "': " + e.getMessage(), e);
    }
  }

  /** The record's {@code ce_type} (the Fluxbus topic), or null. */
  static String topicOf(Headers headers) {
    Header type = headers.lastHeader(TYPE);
    return type == null || type.value() == null ? null : new String(type.value(), StandardCharsets.UTF_8);
  }

  /** The record's {@code fluxbus_origin}, or null. */
  static String originOf(Headers headers) {
    Header origin = headers.lastHeader(ORIGIN);
    return origin == null || origin.value() == null ? null : new String(origin.value(), StandardCharsets.UTF_8);
  }

  private Object payload(byte[] value, String contentType, String topic) {
    if (value == null || value.length == 0) {
      return Map.of();
    }
    if (contentType != null && !contentType.toLowerCase(java.util.Locale.ROOT).contains("json")) {
      return value;
    }
    try {
      return mapper.readValue(value, Object.class);
    } catch (IOException e) {
      throw new CodecException("Cannot decode the data of event on '" + topic + "': not valid JSON ("
          + e.getMessage().lines().findFirst().orElse("") + ")", e);
    }
  }

  /** The codec whose mapper writes and reads payloads. */
  EventCodec codec() {
    return codec;
  }

  private static void put(RecordHeaders headers, String name, String value) {
    headers.add(name, value.getBytes(StandardCharsets.UTF_8));
  }

  private static String required(Map<String, String> attributes, String name) {
    String value = attributes.remove(name);
    if (value == null) {
      throw new CodecException("Cannot decode event: required header 'ce_" + name + "' is missing");
    }
    return value;
  }

  private static Instant time(String time) {
    if (time == null) {
      return null;
    }
    try {
      return OffsetDateTime.parse(time).toInstant();
    } catch (DateTimeParseException e) {
      throw new CodecException("Cannot decode event: header 'ce_time' is not an RFC 3339 timestamp: '" + time + "'", e);
    }
  }

  private static int version(String version) {
    if (version == null) {
      return 1;
    }
    if (version.matches("[1-9][0-9]{0,8}")) {
      return Integer.parseInt(version);
    }
    throw new CodecException("Cannot decode event: header 'ce_eventversion' must be a positive integer, got '"
        + version + "'");
  }
}
