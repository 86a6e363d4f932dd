package io.fluxbus.examples.gateway;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * Hands a WebSocket upgrade request to Reactor Netty whole, as one {@link FullHttpRequest}. Reactor Netty cancels
 * its request timeout ({@code --request-timeout}) for an upgrade only when the request comes whole; in parts (head,
 * then an empty end, as Netty's decoder reads a GET), the end went to the handshake's own aggregation, the timeout
 * stayed armed, and every WebSocket was closed that long after it opened, busy or not. An upgrade request that
 * sends a body (none should) is passed on as it came. Sits after {@link MalformedRequests}; one instance per
 * connection, on its event loop.
 */
final class UpgradeRequests extends ChannelInboundHandlerAdapter {

  /** This handler's name in the pipeline. */
  static final String NAME = "fluxbus.upgradeRequests";

  private HttpRequest head;

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (head == null) {
      if (msg instanceof HttpRequest request && !(msg instanceof FullHttpRequest)
          && request.decoderResult().isSuccess()
          && request.headers().containsValue(HttpHeaderNames.UPGRADE, "websocket", true)) {
        head = request;
        return;
      }
      ctx.fireChannelRead(msg);
      return;
    }
    HttpRequest request = head;
    head = null;
    if (msg instanceof LastHttpContent end && !end.content().isReadable() && end.decoderResult().isSuccess()) {
      FullHttpRequest whole = new DefaultFullHttpRequest(request.protocolVersion(), request.method(),
          request.uri(), Unpooled.EMPTY_BUFFER, request.headers(), end.trailingHeaders());
      end.release();
      ctx.fireChannelRead(whole);
      return;
    }
    ctx.fireChannelRead(request);
    ctx.fireChannelRead(msg);
  }
}
