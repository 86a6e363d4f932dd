package io.fluxbus.examples.saga;

/**
 * How an order's saga ended.
 *
 * @param orderId the order
 * @param status completed or cancelled
 * @param detail the tracking number of a completed order, the reason of a cancelled one
 * @param correlationId the id every event of the order's saga shares
 */
record OrderOutcome(String orderId, Status status, String detail, String correlationId) {

  /** Where a saga ends. */
  enum Status {
    /** Paid, reserved and shipped. */
    COMPLETED,
    /** Called off; whatever was done was undone. */
    CANCELLED
  }
}
