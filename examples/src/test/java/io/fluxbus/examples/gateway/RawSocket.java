package io.fluxbus.examples.gateway;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A plain TCP connection to a gateway under test, for what HTTP clients will not send: raw request lines and
 * headers, partial requests, and WebSocket frames written by hand to a socket that is never read. Blocking, on the
 * test thread (or a writer thread of the test); reads time out after {@link GatewayClient#TIMEOUT}.
 */
final class RawSocket implements AutoCloseable {

  private final Socket socket;
  private final OutputStream out;
  private final InputStream in;

  /**
   * Connects to 127.0.0.1.
   *
   * @param receiveBuffer the socket's receive buffer in bytes, small for a client that never reads; 0 for the
   *     system's default
   */
  RawSocket(int port, int receiveBuffer) {
    try {
      socket = new Socket();
      if (receiveBuffer > 0) {
        socket.setReceiveBufferSize(receiveBuffer);
      }
      socket.connect(new InetSocketAddress("127.0.0.1", port), (int) GatewayClient.TIMEOUT.toMillis());
      socket.setSoTimeout((int) GatewayClient.TIMEOUT.toMillis());
      out = socket.getOutputStream();
      in = socket.getInputStream();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  RawSocket(int port) {
    this(port, 0);
  }

  /** Opens a WebSocket on {@code /ws}: sends the upgrade request and reads the {@code 101} answer's head. */
  RawSocket upgrade() throws IOException {
    write(("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII));
    String head = readHead();
    if (!head.startsWith("HTTP/1.1 101")) {
      throw new IOException("not upgraded: " + head);
    }
    return this;
  }

  void write(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  /** Sends one text message as a single frame, masked as clients must (with a zero mask, so as it is). */
  void sendText(String text) throws IOException {
    write(frame(0x1, true, text.getBytes(StandardCharsets.UTF_8)));
  }

  /** A client frame: FIN as given, the opcode, a zero mask and the payload. */
  static byte[] frame(int opcode, boolean fin, byte[] payload) {
    ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 14);
    frame.writeBytes(frameHead(opcode, fin, payload.length));
    frame.writeBytes(payload);
    return frame.toByteArray();
  }

  /** A client frame's head: FIN as given, the opcode, the payload length and a zero mask; the payload follows. */
  static byte[] frameHead(int opcode, boolean fin, long length) {
    ByteArrayOutputStream head = new ByteArrayOutputStream(14);
    head.write((fin ? 0x80 : 0) | opcode);
    if (length < 126) {
      head.write(0x80 | (int) length);
    } else if (length < 65536) {
      head.write(0x80 | 126);
      head.write((int) (length >>> 8));
      head.write((int) length);
    } else {
      head.write(0x80 | 127);
      for (int shift = 56; shift >= 0; shift -= 8) {
        head.write((int) (length >>> shift));
      }
    }
    head.writeBytes(new byte[4]);
    return head.toByteArray();
  }

  /** Reads up to the blank line that ends an HTTP head; the text read, whatever it is, when the peer closes. */
  String readHead() throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0) {
      head.write(b);
      byte[] bytes = head.toByteArray();
      int n = bytes.length;
      if (n >= 4 && bytes[n - 4] == '\r' && bytes[n - 3] == '\n' && bytes[n - 2] == '\r' && bytes[n - 1] == '\n') {
        break;
      }
    }
    return head.toString(StandardCharsets.ISO_8859_1);
  }

  /** Reads everything until the peer closes (or the read times out, which fails). */
  String readToEnd() throws IOException {
    return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
  }

  /**
   * A frame from the server (unmasked).
   *
   * @param opcode its opcode: 1 text, 8 close
   * @param payload its payload
   */
  record Frame(int opcode, byte[] payload) {
    /** A close frame's status code. */
    int closeCode() {
      return (payload[0] & 0xFF) << 8 | payload[1] & 0xFF;
    }

    /** The text, or a close frame's reason. */
    String text() {
      int start = opcode == 0x8 ? 2 : 0;
      return new String(payload, start, payload.length - start, StandardCharsets.UTF_8);
    }
  }

  /** Reads the next frame the server sends. */
  Frame readFrame() throws IOException {
    int first = in.read();
    int second = in.read();
    if (first < 0 || second < 0) {
      throw new IOException("the connection ended before a frame");
    }
    long length = second & 0x7F;
    if (length == 126) {
      length = (long) in.read() << 8 | in.read();
    } else if (length == 127) {
      length = 0;
      for (int i = 0; i < 8; i++) {
        length = length << 8 | in.read();
      }
    }
    return new Frame(first & 0x0F, in.readNBytes((int) length));
  }

  InputStream input() {
    return in;
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
