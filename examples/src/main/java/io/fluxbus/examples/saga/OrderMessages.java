package io.fluxbus.examples.saga;

import io.fluxbus.Event;
import io.fluxbus.SubscribeOptions;

/**
 * The saga's vocabulary: each topic and the payload published on it. Every event after {@code orders.placed} is
 * published {@code causedBy} the event that led to it, so one order's events share a correlation id and each
 * names its cause.
 *
 * <pre>
 * orders.placed ─▶ payments.charged ─▶ inventory.reserved ─▶ shipments.shipped ─▶ orders.completed
 *      │                  │                    │ (shipping fails its last attempt: dead letter)
 *      ▼                  ▼                    ▼
 * payments.declined  inventory.unavailable  shipping.failed ─▶ inventory.released
 *      │                  │                                          │
 *      ▼                  └──────────────▶ payments.refunded ◀───────┘
 * orders.cancelled ◀──────────────────────────────┘
 * </pre>
 */
public final class OrderMessages {

  /** A customer placed an order. */
  public static final String ORDER_PLACED = "orders.placed";
  /** The order was paid for. */
  public static final String PAYMENT_CHARGED = "payments.charged";
  /** The payment was refused. */
  public static final String PAYMENT_DECLINED = "payments.declined";
  /** A charge was paid back (compensation). */
  public static final String PAYMENT_REFUNDED = "payments.refunded";
  /** The goods were set aside. */
  public static final String INVENTORY_RESERVED = "inventory.reserved";
  /** The goods are not in stock. */
  public static final String INVENTORY_UNAVAILABLE = "inventory.unavailable";
  /** Reserved goods were put back (compensation). */
  public static final String INVENTORY_RELEASED = "inventory.released";
  /** Shipping gave up on an order: the dead-letter topic of the shipping subscription. */
  public static final String SHIPPING_FAILED = "shipping.failed";
  /** The goods left the warehouse. */
  public static final String SHIPMENT_SHIPPED = "shipments.shipped";
  /** The order is done. */
  public static final String ORDER_COMPLETED = "orders.completed";
  /** The order was called off and everything done for it undone. */
  public static final String ORDER_CANCELLED = "orders.cancelled";

  private OrderMessages() {}

  /**
   * A customer placed an order; every later message carries it, so each step has what it needs.
   *
   * @param orderId the order
   * @param customer who ordered
   * @param sku the article
   * @param quantity how many, from 1
   * @param amount what it costs
   */
  public record OrderPlaced(String orderId, String customer, String sku, int quantity, double amount) {}

  /**
   * The order was paid for.
   *
   * @param order the order
   * @param paymentId the charge
   */
  public record PaymentCharged(OrderPlaced order, String paymentId) {}

  /**
   * The payment was refused.
   *
   * @param order the order
   * @param reason why
   */
  public record PaymentDeclined(OrderPlaced order, String reason) {}

  /**
   * A charge was paid back.
   *
   * @param order the order
   * @param paymentId the charge paid back, or null when there was none to pay back
   * @param reason why the order is being undone
   */
  public record PaymentRefunded(OrderPlaced order, String paymentId, String reason) {}

  /**
   * Goods were set aside ({@code reason} null), could not be, or were put back.
   *
   * @param order the order
   * @param reason why they could not be set aside or were put back; null when reserved
   */
  public record StockChange(OrderPlaced order, String reason) {}

  /**
   * The goods left the warehouse.
   *
   * @param order the order
   * @param trackingId the carrier's tracking number
   */
  public record Shipped(OrderPlaced order, String trackingId) {}

  /**
   * The saga's end: completed with a tracking number, or cancelled with a reason.
   *
   * @param orderId the order
   * @param detail the tracking number or the reason
   */
  public record OrderClosed(String orderId, String detail) {}

  /** How every step subscribes: async handlers competing in the step's consumer group. */
  static SubscribeOptions inGroup(String group) {
    return SubscribeOptions.defaults().async(true).group(group);
  }

  /** The next event of an order's conversation: keyed by the order, caused by {@code cause}. */
  static <T> Event<T> next(Event<?> cause, String topic, String orderId, T payload) {
    return Event.builder(topic, payload).key(orderId).causedBy(cause).build();
  }
}
