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
import io.netty.util.concurrent.Future;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import reactor.core.publisher.Sinks;
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
 * stream) and keeps reading and discarding what the client still sends until the client closes its side, more than
 * {@link #DISCARD_CAP} bytes have come or {@link #LINGER} has passed. Nothing else is written on the connection after
 * its close frame. The discarding is cheap: the frame decoder, the UTF-8 check and the aggregation are replaced by
 * {@link DiscardedInput}, which releases whole buffers undecoded. The connection's handler is told through the signal
 * given to {@link #install} once the close frame is written, so it can end at once; a close it asks for meanwhile
 * waits for the end of the discarding, so the client is not answered with a reset.
 *
 * <p>Runs on the connection's event loop, like every Netty handler; one instance per connection.
 */
final class SocketFrameLimits extends ChannelDuplexHandler {

  /** How long a connection closed for a violation keeps draining what its client still sends. */
  static final Duration LINGER = Duration.ofSeconds(10);

  /** The most a connection closed for a violation reads and discards before it is closed at once. */
  static final int DISCARD_CAP = 4 << 20;

  private static final String NAME = "fluxbus.socketFrameLimits";
  private static final String UTF8 = "fluxbus.socketUtf8";
  private static final String DISCARD = "fluxbus.socketDiscard";

  private final int maxMessageBytes;
  private final Sinks.Empty<Void> violated;
  private long messageBytes;
  private boolean closing;

  private SocketFrameLimits(int maxMessageBytes, Sinks.Empty<Void> violated) {
    this.maxMessageBytes = maxMessageBytes;
    this.violated = violated;
  }

  /**
   * Installs the limits on a WebSocket connection whose handshake is done. Call before Reactor Netty's frame
   * aggregation is added, so whole messages are counted here first.
   *
   * @param violated completed (on the event loop) once the close frame for a violation has been written, or its
   *     write has failed: from then on nothing more is read from or written to the socket
   */
  static void install(Connection connection, int maxMessageBytes, Sinks.Empty<Void> violated) {
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
    connection.addHandlerLast(NAME, new SocketFrameLimits(maxMessageBytes, violated));
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

  @Override
  public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
    if (closing && ctx.channel().isActive()) {
      // the handler ended (or Reactor Netty closes after it): the discarding decides when the connection closes
      ctx.channel().closeFuture().addListener(closed -> promise.trySuccess());
      return;
    }
    ctx.close(promise);
  }

  private void close(ChannelHandlerContext ctx, int code, String reason) {
    closing = true;
    ChannelPipeline pipeline = ctx.pipeline();
    // the aggregation would otherwise fail on the part of a message it holds when the connection ends; and neither
    // it nor the UTF-8 check nor the decoder (which, once corrupt, reads a byte per call) is worth running on
    // what is only discarded
    ChannelHandler aggregator = pipeline.get(WebSocketFrameAggregator.class);
    if (aggregator != null) {
      pipeline.remove(aggregator);
    }
    if (pipeline.get(UTF8) != null) {
      pipeline.remove(UTF8);
    }
    var decoder = pipeline.context(WebSocketFrameDecoder.class);
    if (decoder != null) {
      // what the decoder still holds is handed to its replacement as it goes
      pipeline.replace(decoder.name(), DISCARD, new DiscardedInput(DISCARD_CAP));
    }
    // reads may be paused by the handler's backpressure; the client's rest must be read to be discarded
    ctx.channel().config().setAutoRead(true);
    // a close frame's reason has at most 123 bytes
    while (reason.getBytes(StandardCharsets.UTF_8).length > 123) {
      reason = reason.substring(0, reason.length() - 1);
    }
    ctx.writeAndFlush(new CloseWebSocketFrame(code, reason)).addListener(written -> {
      if (ctx.channel() instanceof DuplexChannel duplex) {
        duplex.shutdownOutput();
      }
      violated.tryEmitEmpty();
    });
    // from this handler's context, so the close is not held by close() above
    Future<?> linger = ctx.executor().schedule(() -> ctx.close(), LINGER.toMillis(), TimeUnit.MILLISECONDS);
    ctx.channel().closeFuture().addListener(closed -> linger.cancel(false));
  }
}
