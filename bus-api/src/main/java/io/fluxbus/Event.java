package io.fluxbus;

import io.fluxbus.codec.EventCodec;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An immutable event. Build one with {@link #of} or {@link #builder}, which stamp the id and the time; engines
 * fill in {@code source} (and {@code time}, for events made through the constructor) at publish when they are
 * absent ({@link #withDefaults}).
 *
 * <p>{@code id} is a time-ordered UUID (v7); {@code version} defaults to 1; {@code correlationId} defaults to the
 * event's own id; {@code causationId} is the id of the event that caused this one, if any. Header names are
 * lowercase letters and digits (they become CloudEvents extension attributes on the wire).
 *
 * @param id unique, time-ordered id
 * @param topic where the event is published, a valid topic ({@link Topics})
 * @param payload the data, never null
 * @param key partition key: events with the same key keep their order under concurrency; null for none
 * @param version the payload's schema version, 1 or more
 * @param source who published it (CloudEvents {@code source}); null until published
 * @param time when it happened: when it was built unless given; null only for events made through the
 *     constructor without one, until published
 * @param correlationId the id shared by every event of one conversation
 * @param causationId the id of the event that caused this one, or null
 * @param headers extra attributes, lowercase alphanumeric names; never null, unmodifiable
 * @param <T> the payload type
 */
public record Event<T>(String id, String topic, T payload, String key, int version, String source,
                       Instant time, String correlationId, String causationId, Map<String, String> headers) {

  /**
   * Validates and freezes the event.
   *
   * @throws InvalidTopicException if the topic is invalid
   * @throws InvalidEventException if the id or payload is missing, the version is below 1, or a header name is
   *     not lowercase alphanumeric
   */
  public Event {
    Topics.requireValid(topic);
    if (id == null || id.isEmpty() || (Character.isWhitespace(id.charAt(0)) && id.isBlank())) {
      throw new InvalidEventException("Event on '" + topic + "' has no id; an id is required");
    }
    if (payload == null) {
      throw new InvalidEventException("Event on '" + topic + "' has a null payload; a payload is required "
          + "(use an empty map or a marker record for events without data)");
    }
    if (version < 1) {
      throw new InvalidEventException("Event on '" + topic + "' has version " + version + "; versions start at 1");
    }
    if (correlationId == null) {
      correlationId = id;
    }
    headers = freeze(topic, headers);
  }

  /**
   * Creates an event with a new id, version 1 and no key.
   *
   * @throws InvalidTopicException if the topic is invalid
   * @throws InvalidEventException if the payload is null
   */
  public static <T> Event<T> of(String topic, T payload) {
    return new Builder<>(topic, payload).build();
  }

  /** Starts building an event; {@link Builder#build()} validates it. */
  public static <T> Builder<T> builder(String topic, T payload) {
    return new Builder<>(topic, payload);
  }

  /**
   * Returns the payload as {@code type}: the payload itself when it already is one, else a conversion through
   * the JSON codec (a {@code Map} from the wire becomes a record, a record becomes a {@code Map}, and so on).
   *
   * @throws CodecException naming the topic, the source and target types, when the payload does not convert
   */
  public <R> R payloadAs(Class<R> type) {
    if (type.isInstance(payload)) {
      return type.cast(payload);
    }
    return EventCodec.json().convert(payload, type, topic);
  }

  /**
   * Returns this event with the given payload and everything else unchanged.
   */
  public <R> Event<R> withPayload(R newPayload) {
    return new Event<>(id, topic, newPayload, key, version, source, time, correlationId, causationId, headers);
  }

  /**
   * Returns this event with {@code source} and {@code time} filled in where they are absent; engines call it
   * at publish. Returns {@code this} when nothing is missing.
   */
  public Event<T> withDefaults(String defaultSource, Instant now) {
    if (source != null && time != null) {
      return this;
    }
    return new Event<>(id, topic, payload, key, version, source != null ? source : defaultSource,
        time != null ? time : now, correlationId, causationId, headers);
  }

  private static Map<String, String> freeze(String topic, Map<String, String> headers) {
    if (headers == null || headers.isEmpty()) {
      return Map.of();
    }
    for (Map.Entry<String, String> header : headers.entrySet()) {
      requireHeaderName(topic, header.getKey());
      if (header.getValue() == null) {
        throw new InvalidEventException("Header '" + header.getKey() + "' of event on '" + topic
            + "' has a null value; header values are required");
      }
    }
    return Collections.unmodifiableMap(new LinkedHashMap<>(headers));
  }

  /** CloudEvents attributes and our own extensions, which a header would shadow on the wire. */
  private static final java.util.Set<String> RESERVED_HEADERS = java.util.Set.of("specversion", "id", "source",
      "type", "time", "subject", "datacontenttype", "dataschema", "data", "partitionkey", "eventversion",
      "correlationid", "causationid");

  static void requireHeaderName(String topic, String name) {
    // Set.of(...).contains(null) throws NullPointerException, so a null name is checked by the rule below first.
    if (name != null && RESERVED_HEADERS.contains(name)) {
      throw new InvalidEventException("Header name '" + name + "' on event '" + topic + "' is reserved; "
          + "reserved names: " + new java.util.TreeSet<>(RESERVED_HEADERS));
    }
    boolean ok = name != null && !name.isEmpty() && name.length() <= 20;
    for (int i = 0; ok && i < name.length(); i++) {
      char c = name.charAt(i);
      ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    }
    if (!ok) {
      throw new InvalidEventException("Invalid header name '" + name + "' on event '" + topic
          + "': header names are 1 to 20 lowercase letters and digits (CloudEvents extension rules)");
    }
  }

  /**
   * Builds an {@link Event}. Not thread-safe; {@link #build()} validates and may be called more than once,
   * each call giving an event with a new id.
   *
   * @param <T> the payload type
   */
  public static final class Builder<T> {
    private final String topic;
    private final T payload;
    private String key;
    private int version = 1;
    private String source;
    private Instant time;
    private String correlationId;
    private String causationId;
    private final Map<String, String> headers = new LinkedHashMap<>();

    private Builder(String topic, T payload) {
      this.topic = topic;
      this.payload = payload;
    }

    /** Sets the partition key; events with the same key keep their order. */
    public Builder<T> key(String key) {
      this.key = key;
      return this;
    }

    /** Sets the payload's schema version, 1 or more (checked by {@link #build()}). */
    public Builder<T> version(int version) {
      this.version = version;
      return this;
    }

    /** Sets the source; when absent the bus's configured source is used at publish. */
    public Builder<T> source(String source) {
      this.source = source;
      return this;
    }

    /** Sets when the event happened; when absent the time {@link #build()} is called is used. */
    public Builder<T> time(Instant time) {
      this.time = time;
      return this;
    }

    /** Sets the correlation id; when absent it is the event's own id. */
    public Builder<T> correlationId(String correlationId) {
      this.correlationId = correlationId;
      return this;
    }

    /** Sets the id of the event that caused this one. */
    public Builder<T> causationId(String causationId) {
      this.causationId = causationId;
      return this;
    }

    /**
     * Adds a header; names are lowercase letters and digits.
     *
     * @throws InvalidEventException at once if the name is not lowercase alphanumeric
     */
    public Builder<T> header(String name, String value) {
      requireHeaderName(topic, name);
      if (value == null) {
        throw new InvalidEventException("Header '" + name + "' of event on '" + topic
            + "' has a null value; header values are required");
      }
      headers.put(name, value);
      return this;
    }

    /** Marks this event as caused by {@code cause}: same correlation id, causation id = cause's id. */
    public Builder<T> causedBy(Event<?> cause) {
      this.correlationId = cause.correlationId();
      this.causationId = cause.id();
      return this;
    }

    /**
     * Creates the event with a new time-ordered id, and the current time unless one was set.
     *
     * @throws InvalidTopicException if the topic is invalid
     * @throws InvalidEventException if the payload is null, the version below 1 or a header invalid
     */
    public Event<T> build() {
      return new Event<>(Uuids.v7().toString(), topic, payload, key, version, source,
          time != null ? time : Instant.now(), correlationId,
          causationId, headers);
    }
  }
}
