package io.fluxbus.examples.gateway;

import io.fluxbus.Event;
import io.fluxbus.InvalidEventException;
import io.netty.handler.codec.http.HttpHeaders;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A CloudEvent posted in HTTP binary mode: its attributes in {@code ce-} headers, its data the body. Published as
 * itself, as a structured one is ({@link StructuredCloudEvent}): {@code ce-type} must be the path's topic; id,
 * source, time, the Fluxbus extensions ({@code ce-partitionkey}, {@code ce-eventversion}, {@code ce-correlationid},
 * {@code ce-causationid}) and every other extension (as a header of the event) are kept; {@code ce-subject} and
 * {@code ce-dataschema} are accepted and not kept, as in structured mode. Header values are percent-decoded (the
 * binding encodes spaces, quotes, {@code %} and non-ASCII characters so). Header names are case-insensitive, so an
 * extension's name is its header's name lowercased; it must then be 1 to 20 lowercase letters and digits.
 *
 * @param id the event's id
 * @param source its source
 * @param time when it happened, or null for the time it is published
 * @param key its partition key, or null
 * @param version its payload version
 * @param correlationId its correlation id, or null for its own id
 * @param causationId the id of the event that caused it, or null
 * @param extensions its other extensions, the event's headers
 */
record BinaryCloudEvent(String id, String source, Instant time, String key, int version, String correlationId,
                        String causationId, Map<String, String> extensions) {

  private static final String PREFIX = "ce-";

  /** The longest key, correlation or causation id, as for {@code Fluxbus-} headers ({@link Inputs#optionalText}). */
  private static final int MAX_TEXT = 200;

  /** An RFC 3339 date-time: seconds required, a fraction optional, an offset or Z required. */
  private static final Pattern RFC_3339 =
      Pattern.compile("\\d{4}-\\d{2}-\\d{2}[Tt]\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?([Zz]|[+-]\\d{2}:\\d{2})");

  /** Attributes that are not extensions: the CloudEvents context attributes and the Fluxbus extensions. */
  private static final Set<String> ATTRIBUTES = Set.of("specversion", "id", "source", "type", "time", "subject",
      "dataschema", "datacontenttype", "partitionkey", "eventversion", "correlationid", "causationid");

  /** True when the request has a {@code ce-} header: it is then a binary-mode CloudEvent. */
  static boolean present(HttpHeaders headers) {
    for (String name : headers.names()) {
      if (name.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
        return true;
      }
    }
    return false;
  }

  /**
   * Reads the event's attributes from the headers of a request to {@code topic}.
   *
   * @throws RequestRejected with 400 {@code invalid_cloudevent} naming the header when a required attribute
   *     ({@code ce-specversion}, {@code ce-id}, {@code ce-source}, {@code ce-type}) is missing or empty, the spec
   *     version is not 1.0, the type is not the topic, the time is not RFC 3339 (with seconds), the partition key,
   *     correlation or causation id is blank or over 200 characters, a header is given twice or is
   *     not percent-encoded right, a value has a control character once decoded (a line break, NUL), or an
   *     extension's name breaks the rules
   */
  static BinaryCloudEvent read(String topic, HttpHeaders headers) {
    Map<String, String> attributes = new LinkedHashMap<>();
    for (Map.Entry<String, String> header : headers) {
      String name = header.getKey().toLowerCase(Locale.ROOT);
      if (!name.startsWith(PREFIX)) {
        continue;
      }
      String attribute = name.substring(PREFIX.length());
      String value = Inputs.controlFree(decoded(name, header.getValue()), "header '" + name + "'");
      if (attributes.put(attribute, value) != null) {
        throw rejected("header '" + name + "' is given twice; send each CloudEvents attribute once", name);
      }
    }
    String specVersion = required(attributes, "specversion");
    if (!specVersion.equals("1.0")) {
      throw rejected("header 'ce-specversion' is '" + specVersion + "'; the gateway reads CloudEvents 1.0 only",
          specVersion);
    }
    String id = required(attributes, "id");
    String source = required(attributes, "source");
    String type = required(attributes, "type");
    if (!type.equals(topic)) {
      throw rejected("the CloudEvent's type (header 'ce-type') '" + type + "' is not the topic of the path '"
          + topic + "'; post it to /events/" + type, type);
    }
    Map<String, String> extensions = new LinkedHashMap<>();
    for (Map.Entry<String, String> attribute : attributes.entrySet()) {
      String name = attribute.getKey();
      if (ATTRIBUTES.contains(name)) {
        continue;
      }
      if (!name.matches("[a-z0-9]{1,20}")) {
        throw rejected("header 'ce-" + name + "': the extension name '" + name + "' is not 1 to 20 lowercase "
            + "letters and digits (CloudEvents extension rules)", "ce-" + name);
      }
      extensions.put(name, attribute.getValue());
    }
    Integer version = Inputs.version(attributes.get("eventversion"), "header 'ce-eventversion'");
    return new BinaryCloudEvent(id, source, time(attributes.get("time")), text(attributes, "partitionkey"),
        version == null ? 1 : version, text(attributes, "correlationid"), text(attributes, "causationid"),
        extensions);
  }

  /**
   * The event, with the body as its data, read as any payload is ({@link Inputs#payload}).
   *
   * @throws RequestRejected when the body is not a payload, or the event breaks the event rules (a reserved
   *     extension name, for one)
   */
  Event<Object> toEvent(String topic, byte[] body) {
    Object data = Inputs.payload(body);
    try {
      return new Event<>(id, topic, data, key, version, source, time, correlationId, causationId, extensions);
    } catch (InvalidEventException e) {
      throw rejected("the ce- headers do not make an event: " + e.getMessage(), id);
    }
  }

  private static String required(Map<String, String> attributes, String name) {
    String value = attributes.get(name);
    if (value == null || value.isBlank()) {
      throw rejected("header 'ce-" + name + "' is " + (value == null ? "missing" : "empty") + "; a binary-mode "
          + "CloudEvent needs ce-specversion, ce-id, ce-source and ce-type", value);
    }
    return value;
  }

  /** An optional Fluxbus attribute, held to the rules of its {@code Fluxbus-} header: 1 to 200 characters. */
  private static String text(Map<String, String> attributes, String name) {
    String value = attributes.get(name);
    if (value != null && (value.isBlank() || value.length() > MAX_TEXT)) {
      throw rejected("header 'ce-" + name + "' must be 1 to " + MAX_TEXT + " characters, not all blank, like its "
          + "Fluxbus- header; it has " + value.length(), value);
    }
    return value;
  }

  private static Instant time(String time) {
    if (time == null) {
      return null;
    }
    try {
      if (!RFC_3339.matcher(time).matches()) {
        throw new DateTimeParseException("not RFC 3339 with seconds", time, 0);
      }
      return OffsetDateTime.parse(time.toUpperCase(Locale.ROOT)).toInstant();
    } catch (DateTimeParseException e) {
      throw rejected("header 'ce-time' is '" + time + "', not an RFC 3339 timestamp such as "
          + "2026-12-03T10:15:30.123Z (seconds required)", time);
    }
  }

  /** A header value with its percent escapes decoded as UTF-8. */
  private static String decoded(String name, String value) {
    if (value.indexOf('%') < 0) {
      return value;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(value.length());
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c != '%') {
        bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
        continue;
      }
      if (i + 2 >= value.length() || !HexFormat.isHexDigit(value.charAt(i + 1))
          || !HexFormat.isHexDigit(value.charAt(i + 2))) {
        throw rejected("header '" + name + "' has a '%' without two hex digits after it at index " + i
            + "; the binding percent-encodes '%' as %25", value);
      }
      bytes.write(HexFormat.fromHexDigits(value, i + 1, i + 3));
      i += 2;
    }
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes.toByteArray()))
          .toString();
    } catch (CharacterCodingException e) {
      throw rejected("header '" + name + "' is not UTF-8 once its percent escapes are decoded", value);
    }
  }

  private static RequestRejected rejected(String message, String value) {
    return Inputs.rejected("invalid_cloudevent", message, value);
  }
}
