package io.fluxbus.examples.webflux;

/**
 * The application's topics and payloads. Payloads are records: the memory engine hands subscribers the very record
 * that was published, and other engines convert their JSON back with {@code payloadAs}.
 */
public final class OrderEvents {

  /** An order was placed through the API. */
  public static final String PLACED = "orders.placed";
  /** A pipeline found an order worth a second look. */
  public static final String FLAGGED = "orders.flagged";

  private OrderEvents() {}

  /**
   * What a client posts to {@code /orders}.
   *
   * @param customer who orders, not blank
   * @param sku the article, not blank
   * @param quantity how many, from 1
   * @param total what it costs, above 0
   */
  public record OrderRequest(String customer, String sku, int quantity, double total) {}

  /**
   * The payload of {@code orders.placed}.
   *
   * @param orderId the id the API gave the order
   * @param customer who ordered
   * @param sku the article
   * @param quantity how many
   * @param total what it costs
   */
  public record OrderPlaced(String orderId, String customer, String sku, int quantity, double total) {}

  /**
   * The payload of {@code orders.flagged}.
   *
   * @param orderId the order
   * @param customer who ordered
   * @param reason why it was flagged
   */
  public record OrderFlagged(String orderId, String customer, String reason) {}

  /**
   * The API's answer to a placed order.
   *
   * @param orderId the order's id
   * @param eventId the id of its {@code orders.placed} event
   * @param delivered how many subscriptions took the event
   */
  public record OrderAccepted(String orderId, String eventId, int delivered) {}

  /**
   * A customer's running total.
   *
   * @param customer the customer
   * @param orders how many orders they placed
   * @param total what they spent
   */
  public record CustomerTotal(String customer, long orders, double total) {}
}
