package io.fluxbus.examples.gateway;

/** A request the gateway refuses, carrying the answer to give; never reaches the bus. */
final class RequestRejected extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final transient ApiError error;

  RequestRejected(ApiError error) {
    super(error.message(), null, false, false);
    this.error = error;
  }

  ApiError error() {
    return error;
  }
}
