package io.fluxbus.examples.gateway;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Answers requests Netty's HTTP decoder could not read with a JSON error, as every other error is, instead of
 * Reactor Netty's empty one: a request line over the limit is a 414 {@code uri_too_long}, headers over it a 431
 * {@code headers_too_large}, anything else unreadable a 400 {@code malformed_request}. The connection ends after
 * the answer, as the decoder cannot find where the next request starts: the gateway stops sending and reads (and
 * discards) what the client still sends, for at most {@link #LINGER}, so that the rest of an oversized head does
 * not make the socket reset the answer away. Sits right after the HTTP codec; one instance per connection.
 */
final class MalformedRequests extends ChannelInboundHandlerAdapter {

  /** This handler's name in the pipeline. */
  static final String NAME = "fluxbus.malformedRequests";

  /** How long the unread rest of a refused request is read and discarded before the connection is closed. */
  static final Duration LINGER = Duration.ofSeconds(2);

  private boolean failed;

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (failed) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpObject object && object.decoderResult().isFailure()) {
      failed = true;
      Throwable cause = object.decoderResult().cause();
      ReferenceCountUtil.release(msg);
      answer(ctx, error(cause));
      return;
    }
    ctx.fireChannelRead(msg);
  }

  private static ApiError error(Throwable cause) {
    if (cause instanceof TooLongHttpLineException) {
      return new ApiError(414, "uri_too_long", "the request line is too long: " + cause.getMessage(), null);
    }
    if (cause instanceof TooLongHttpHeaderException) {
      return new ApiError(431, "headers_too_large", "the request's headers are too large: " + cause.getMessage(),
          null);
    }
    if (cause instanceof TooLongFrameException) {
      return new ApiError(413, "body_too_large", "a part of the request is too large: " + cause.getMessage(), null);
    }
    return ApiError.badRequest("malformed_request", "the request is not valid HTTP/1.1: " + cause.getMessage(),
        null);
  }

  private static void answer(ChannelHandlerContext ctx, ApiError error) {
    byte[] body = JsonResponses.write(error).getBytes(StandardCharsets.UTF_8);
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
        HttpResponseStatus.valueOf(error.status()), Unpooled.wrappedBuffer(body));
    response.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
        .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE)
        .set(HttpHeaderNames.CONTENT_LENGTH, body.length)
        .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    ctx.writeAndFlush(response).addListener((ChannelFutureListener) written -> {
      if (written.isSuccess() && ctx.channel() instanceof DuplexChannel duplex) {
        duplex.shutdownOutput();
        ctx.channel().config().setAutoRead(true);
        ctx.executor().schedule(() -> ctx.close(), LINGER.toMillis(), TimeUnit.MILLISECONDS);
      } else {
        ctx.close();
      }
    });
  }
}
