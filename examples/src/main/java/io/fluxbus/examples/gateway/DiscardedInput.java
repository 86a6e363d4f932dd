package io.fluxbus.examples.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;

/**
 * Stands in for a closed WebSocket's frame decoder: releases whatever the client still sends, whole buffers as they
 * arrive, without decoding, unmasking or checking them, and closes the connection once more than {@code capBytes}
 * have come or the client has closed its side. Nothing it reads goes further down the pipeline.
 *
 * <p>Runs on the connection's event loop; one instance per connection.
 */
final class DiscardedInput extends ChannelInboundHandlerAdapter {

  private final long capBytes;
  private long discarded;

  DiscardedInput(long capBytes) {
    this.capBytes = capBytes;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof ByteBuf bytes) {
      discarded += bytes.readableBytes();
    }
    ReferenceCountUtil.release(msg);
    if (discarded > capBytes) {
      ctx.close();
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    // nothing was passed on, so nothing is completed further on
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof ChannelInputShutdownEvent) {
      ctx.close();
      return;
    }
    ctx.fireUserEventTriggered(event);
  }
}
