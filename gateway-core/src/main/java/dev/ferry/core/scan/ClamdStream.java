package dev.ferry.core.scan;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * One INSTREAM conversation with clamd: "zINSTREAM\0", then the bytes as chunks (a 4-byte length
 * before each), a zero length to end, and one NUL-terminated reply ("stream: OK",
 * "stream: Eicar-Signature FOUND", "INSTREAM size limit exceeded. ERROR"). The channel is
 * non-blocking under a selector, so every wait (connect, each write, the reply) is bounded by
 * {@code timeout}: a clamd that stops reading cannot hold an upload forever.
 *
 * <p>Once anything fails the stream stops taking bytes and remembers why; {@link #verdict()} then
 * says {@link ScanVerdict.Unscanned}, with clamd's own reply where it sent one.
 */
final class ClamdStream implements AutoCloseable {

  private static final byte[] COMMAND = "zINSTREAM\0".getBytes(StandardCharsets.US_ASCII);
  private static final int MAX_REPLY = 4096;

  private final Duration timeout;
  private SocketChannel channel;
  private Selector selector;
  private final ByteBuffer header = ByteBuffer.allocate(4);
  /** Why the stream stopped taking bytes; null while it goes on. */
  private String failure;
  /** Whether the failure may pass (clamd down, slow), not one of the file's own (too large). */
  private boolean failureTransient;
  /** clamd stopped reading: it may have said why (its stream limit) before it closed. */
  private boolean stoppedByClamd;

  private ClamdStream(Duration timeout) {
    this.timeout = timeout;
  }

  /**
   * Connects and starts the stream; a clamd that cannot be reached gives a stream that failed
   * already (and holds no socket). A host name is looked up again at each connect, so a clamd that
   * moves is followed and one that did not resolve at start is found once it does.
   */
  static ClamdStream open(SocketAddress clamd, Duration timeout) {
    ClamdStream stream = new ClamdStream(timeout);
    try {
      stream.connect(clamd instanceof InetSocketAddress inet ? new InetSocketAddress(inet.getHostString(), inet.getPort())
          : clamd);
      stream.send(ByteBuffer.wrap(COMMAND));
    } catch (IOException | RuntimeException e) { // UnresolvedAddressException, among others, is unchecked
      stream.close();
      stream.channel = null;
      stream.fail("clamd at " + clamd + " could not be reached: " + (e.getMessage() != null ? e.getMessage()
          : e.getClass().getSimpleName()), true);
    }
    return stream;
  }

  private void connect(SocketAddress clamd) throws IOException {
    channel = clamd instanceof UnixDomainSocketAddress ? SocketChannel.open(StandardProtocolFamily.UNIX)
        : SocketChannel.open();
    channel.configureBlocking(false);
    selector = Selector.open();
    if (!channel.connect(clamd)) {
      channel.register(selector, SelectionKey.OP_CONNECT);
      if (selector.select(timeout.toMillis()) == 0) {
        throw new IOException("no connection within " + timeout.toMillis() + " ms");
      }
      channel.finishConnect();
    }
  }

  /** Streams {@code length} bytes; after a failure, does nothing (the verdict says why). */
  void feed(byte[] bytes, int offset, int length) {
    if (failure != null || length == 0) {
      return;
    }
    try {
      header.clear();
      header.putInt(length).flip();
      // One gathering write for the length and the bytes: this runs for every chunk of an upload.
      send(header, ByteBuffer.wrap(bytes, offset, length));
    } catch (IOException e) {
      fail("clamd stopped reading the stream: " + e.getMessage(), true);
      stoppedByClamd = true;
    }
  }

  boolean failed() {
    return failure != null;
  }

  /**
   * Stops the stream without a verdict, for {@code reason}; {@code transientFailure}: clamd may
   * give one later (it was down or slow), where a file too large never gets one.
   */
  void fail(String reason, boolean transientFailure) {
    if (failure == null) {
      failure = reason;
      failureTransient = transientFailure;
    }
  }

  /** Ends the stream and reads clamd's answer. */
  ScanVerdict verdict() {
    if (failure != null) {
      String reply = stoppedByClamd && channel != null && channel.isConnected() ? replyIfAny() : null;
      boolean overLimit = reply != null && reply.contains("size limit exceeded");
      return new ScanVerdict.Unscanned(reply != null ? failure + " (clamd: " + reply + ")" : failure,
          failureTransient && !overLimit);
    }
    try {
      send(ByteBuffer.allocate(4));
      String reply = readReply(timeout);
      if (reply.endsWith(" FOUND")) {
        String signature = reply.substring(reply.indexOf(':') + 1, reply.length() - " FOUND".length()).trim();
        return new ScanVerdict.Infected(signature);
      }
      if (reply.endsWith(": OK")) {
        return new ScanVerdict.Clean();
      }
      return new ScanVerdict.Unscanned("clamd: " + reply, !reply.contains("size limit exceeded"));
    } catch (IOException e) {
      return new ScanVerdict.Unscanned("clamd gave no verdict: " + e.getMessage(), true);
    }
  }

  private void send(ByteBuffer... buffers) throws IOException {
    ByteBuffer last = buffers[buffers.length - 1];
    while (last.hasRemaining()) {
      if (channel.write(buffers) == 0) {
        SelectionKey key = channel.register(selector, SelectionKey.OP_WRITE);
        int ready = selector.select(timeout.toMillis());
        key.interestOps(0);
        selector.selectedKeys().clear();
        if (ready == 0) {
          throw new IOException("clamd took no bytes for " + timeout.toMillis() + " ms (scan.timeout)");
        }
      }
    }
  }

  private String readReply(Duration wait) throws IOException {
    ByteBuffer reply = ByteBuffer.allocate(MAX_REPLY);
    long deadline = System.nanoTime() + wait.toNanos();
    while (true) {
      int read = channel.read(reply);
      for (int i = 0; i < reply.position(); i++) {
        if (reply.get(i) == 0) {
          return new String(reply.array(), 0, i, StandardCharsets.US_ASCII).trim();
        }
      }
      if (read < 0) {
        if (reply.position() > 0) {
          return new String(reply.array(), 0, reply.position(), StandardCharsets.US_ASCII).trim();
        }
        throw new IOException("clamd closed the connection without an answer");
      }
      if (!reply.hasRemaining()) {
        throw new IOException("clamd's answer is longer than " + MAX_REPLY + " bytes");
      }
      if (read == 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new IOException("no answer within " + wait.toMillis() + " ms (scan.timeout)");
        }
        SelectionKey key = channel.register(selector, SelectionKey.OP_READ);
        selector.select(Math.max(1, left / 1_000_000));
        key.interestOps(0);
        selector.selectedKeys().clear();
      }
    }
  }

  /** After a failed write: what clamd said before it stopped reading (its size limit), if it said anything. */
  private String replyIfAny() {
    try {
      return readReply(Duration.ofSeconds(1));
    } catch (IOException e) {
      return null;
    }
  }

  @Override
  public void close() {
    try {
      if (selector != null) {
        selector.close();
      }
      if (channel != null) {
        channel.close();
      }
    } catch (IOException e) {
      // nothing more to say to clamd
    }
  }
}
