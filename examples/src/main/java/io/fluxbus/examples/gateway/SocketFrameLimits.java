package io.fluxbus.examples.gateway;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.Utf8FrameValidator;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import reactor.netty.Connection;

/**
 * Closes a WebSocket that breaks the protocol or sends a message over the limit with a close frame that says why
 * (1009 for a frame or a fragmented message over {@code maxMessageBytes}, 1007 for text that is not UTF-8, 1002
 * for other protocol errors), and makes sure the client can read it.
 *
 * <p>Netty's frame decoder, on its own, writes its close frame and closes the connection at once. A client still
 * sending a large frame then has its unread bytes answered with a TCP reset, which discards the close frame on its
 * side: it sees 1006 without a reason. So the decoder is replaced by one that only reports the violation, and this
 * handler, after writing the close frame, shuts down the output (the client reads the frame, then the end of the
 * stream) and keeps reading and discarding what the client still sends until the client closes its side or
 * {@link #LINGER} has passed. Nothing else is written on the connection after its close frame.
 *
 * <p>Runs on the connection's event loop, like every Netty handler; one instance per connection.
 */
final class SocketFrameLimits extends ChannelDuplexHandler {

  /** How long a connection closed for a violation keeps draining what its client still sends. */
  static final Duration LINGER = Duration.ofSeconds(10);

  private static final String NAME = "fluxbus.socketFrameLimits";
  private static final String UTF8 = "fluxbus.socketUtf8";

  private final int maxMessageBytes;
  private long messageBytes;
  private boolean closing;

  private SocketFrameLimits(int maxMessageBytes) {
    this.maxMessageBytes = maxMessageBytes;
  }

  /**
   * Installs the limits on a WebSocket connection whose handshake is done. Call before Reactor Netty's frame
   * aggregation is added, so whole messages are counted here first.
   */
  static void install(Connection connection, int maxMessageBytes) {
    ChannelPipeline pipeline = connection.channel().pipeline();
    var decoder = pipeline.context(WebSocketFrameDecoder.class);
    if (decoder != null) {
      // the handshake's settings for /ws (no extensions, masked client frames), but reporting instead of closing
      pipeline.replace(decoder.name(), decoder.name(), new WebSocket13FrameDecoder(WebSocketDecoderConfig.newBuilder()
          .maxFramePayloadLength(maxMessageBytes)
          .expectMaskedFrames(true)
          .allowExtensions(false)
          .closeOnProtocolViolation(false)
          .build()));
      // text that is not UTF-8 is refused (1007) rather than read with replacement characters
      pipeline.addAfter(decoder.name(), UTF8, new Utf8FrameValidator(false));
    }
    connection.addHandlerLast(NAME, new SocketFrameLimits(maxMessageBytes));
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (closing) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof TextWebSocketFrame || msg instanceof BinaryWebSocketFrame) {
      messageBytes = 0;
    }
    if (msg instanceof TextWebSocketFrame || msg instanceof BinaryWebSocketFrame
        || msg instanceof ContinuationWebSocketFrame) {
      messageBytes += ((WebSocketFrame) msg).content().readableBytes();
      if (messageBytes > maxMessageBytes) {
        ReferenceCountUtil.release(msg);
        close(ctx, WebSocketCloseStatus.MESSAGE_TOO_BIG.code(), "message over " + maxMessageBytes
            + " bytes (the gateway's --max-body)");
        return;
      }
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof CorruptedWebSocketFrameException corrupt) {
      if (!closing) {
        int code = corrupt.closeStatus().code();
        close(ctx, code, code == WebSocketCloseStatus.MESSAGE_TOO_BIG.code()
            ? "frame over " + maxMessageBytes + " bytes (the gateway's --max-body)"
            : corrupt.getMessage() == null ? corrupt.closeStatus().reasonText() : corrupt.getMessage());
      }
      return;
    }
    ctx.fireExceptionCaught(cause);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (closing) {
      // the close frame has gone: whatever the connection still had to say is dropped
      ReferenceCountUtil.release(msg);
      promise.trySuccess();
      return;
    }
    ctx.write(msg, promise);
  }

  private void close(ChannelHandlerContext ctx, int code, String reason) {
    closing = true;
    // the aggregation would otherwise fail on the part of a message it holds when the connection ends
    ChannelHandler aggregator = ctx.pipeline().get(WebSocketFrameAggregator.class);
    if (aggregator != null) {
      ctx.pipeline().remove(aggregator);
    }
    // a close frame's reason has at most 123 bytes
    while (reason.getBytes(StandardCharsets.UTF_8).length > 123) {
      reason = reason.substring(0, reason.length() - 1);
    }
    ctx.writeAndFlush(new CloseWebSocketFrame(code, reason)).addListener(written -> {
      if (ctx.channel() instanceof DuplexChannel duplex) {
        duplex.shutdownOutput();
      }
    });
    ctx.executor().schedule(() -> ctx.channel().close(), LINGER.toMillis(), TimeUnit.MILLISECONDS);
  }
}
