package io.fluxbus.examples.gateway;

import io.fluxbus.CodecException;
import io.fluxbus.Event;
import io.fluxbus.codec.EventCodec;
import java.util.Map;

/**
 * A CloudEvent posted whole ({@code application/cloudevents+json}, structured mode), published as itself: its id,
 * source, time, Fluxbus extensions and other extensions (as headers) are kept. Checked like any payload first
 * (depth, duplicate keys, numbers kept exact); its {@code data} is taken as read there, so numbers stay exact.
 */
final class StructuredCloudEvent {

  private StructuredCloudEvent() {}

  /**
   * Reads the event posted to {@code topic}.
   *
   * @throws RequestRejected when the body is not a CloudEvent the codec reads, its type is not the topic, or an
   *     attribute other than its data has a control character (a line break, NUL)
   */
  static Event<Object> read(String topic, byte[] body) {
    Object document = Inputs.payload(body);
    Event<Object> event;
    try {
      event = EventCodec.json().decode(body);
    } catch (CodecException e) {
      throw Inputs.rejected("invalid_cloudevent", e.getMessage(), null);
    }
    if (!event.topic().equals(topic)) {
      throw Inputs.rejected("invalid_cloudevent", "the CloudEvent's type '" + event.topic() + "' is not the "
          + "topic of the path '" + topic + "'; post it to /events/" + event.topic(), event.topic());
    }
    Inputs.controlFree(event.id(), "'id'");
    Inputs.controlFree(event.source(), "'source'");
    Inputs.controlFree(event.key(), "'partitionkey'");
    Inputs.controlFree(event.correlationId(), "'correlationid'");
    Inputs.controlFree(event.causationId(), "'causationid'");
    event.headers().forEach((name, value) -> Inputs.controlFree(value, "extension '" + name + "'"));
    Object data = document instanceof Map<?, ?> fields && fields.get("data") != null ? fields.get("data")
        : event.payload();
    return new Event<>(event.id(), event.topic(), data, event.key(), event.version(), event.source(), event.time(),
        event.correlationId(), event.causationId(), event.headers());
  }
}
