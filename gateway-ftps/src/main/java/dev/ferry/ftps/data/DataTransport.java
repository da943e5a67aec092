package dev.ferry.ftps.data;

import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.nio.channels.SocketChannel;
import java.util.Set;

/**
 * The TCP socket under a passive TLS data connection. It passes everything through, with two
 * exceptions.
 *
 * <p>Until the handshake is over, each read first asks the kernel to acknowledge at once
 * ({@link QuickAck}). GnuTLS clients (lftp, FileZilla) send their
 * ChangeCipherSpec and their Finished in two writes with Nagle on: the Finished waits for the
 * ChangeCipherSpec's ACK, which Linux delays 40 ms on a connection that has just had a
 * request/response exchange. Every data connection waited those 40 ms before its first byte,
 * more than the transfer of a 10 MiB file on loopback (seen with strace of lftp: its Finished went
 * out 0.4 ms after its ChangeCipherSpec, the server's answer came 41 ms later).
 *
 * <p>On an upload's connection, what the server's TLS layer writes once the handshake is over
 * waits here until the connection is closed or half-closed. Why: on TLS 1.3 the JDK sends a
 * NewSessionTicket right after the handshake, which reaches the client when it is already sending
 * its file. lftp (GnuTLS) takes data arriving on an upload connection as the end of it and closes
 * the socket with the ticket unread, which makes the kernel reset the connection and throw away
 * what the server had not read yet: the upload fails and lftp retries. Servers built on OpenSSL
 * avoid this by sending no tickets on data connections ({@code SSL_CTX_set_num_tickets(0)}); the
 * JDK has only a global switch, and the control connection needs its tickets so that clients can
 * resume its session on the data connections. Holding the bytes keeps the TLS record stream
 * intact: the ticket and the closing alert go out in order, after the client's last byte has been
 * read.
 *
 * <p>The handshake is over once the client's first encrypted record (TLS 1.3: its Finished;
 * TLS 1.2: its first data) has passed to the TLS layer. Nothing before that is held, so the
 * handshake itself never waits. On a TLS 1.2 download the client sends no data, so every read
 * asks for the quick ACK: there are only the handshake's and the closing alert's.
 */
final class DataTransport extends Socket {

  /** The outer record type of every TLS 1.3 record after the handshake, and of TLS 1.2 data. */
  private static final int APPLICATION_DATA = 23;
  private static final int RECORD_HEADER = 5;
  /** A server sends an uploader tickets and alerts, a few KB at most; more is not worth holding. */
  private static final int HOLD_LIMIT = 64 * 1024;

  private final Socket tcp;
  private final RecordWatch in;
  /** An upload's server output, held after the handshake; null elsewhere: downloads write straight through. */
  private final HeldOutput held;

  /** {@code upload}: the connection of an upload, whose server output waits after the handshake. */
  DataTransport(Socket tcp, boolean upload) throws IOException {
    this.tcp = tcp;
    this.in = new RecordWatch(tcp.getInputStream());
    this.held = upload ? new HeldOutput(tcp.getOutputStream()) : null;
  }

  @Override
  public InputStream getInputStream() {
    return in;
  }

  @Override
  public OutputStream getOutputStream() throws IOException {
    return held != null ? held : tcp.getOutputStream();
  }

  @Override
  public void shutdownOutput() throws IOException {
    if (held != null) {
      held.release();
    }
    tcp.shutdownOutput();
  }

  @Override
  public void close() throws IOException {
    try {
      if (held != null) {
        held.release();
      }
    } catch (IOException e) {
      // the client is gone; what was held has no one to go to
    } finally {
      tcp.close();
    }
  }

  /** Follows the client's TLS records until the first encrypted one has been read in full. */
  private final class RecordWatch extends FilterInputStream {

    private final byte[] header = new byte[RECORD_HEADER];
    private int headerBytes;
    private int bodyLeft;
    private volatile boolean handshakeOver;

    RecordWatch(InputStream tcpIn) {
      super(tcpIn);
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) == -1 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (!handshakeOver) {
        QuickAck.ask(tcp);
      }
      int n = super.read(b, off, len);
      if (n > 0 && !handshakeOver) {
        watch(b, off, n);
      }
      return n;
    }

    private void watch(byte[] b, int off, int n) {
      int i = off;
      int end = off + n;
      while (i < end && !handshakeOver) {
        if (headerBytes < RECORD_HEADER) {
          header[headerBytes++] = b[i++];
          if (headerBytes == RECORD_HEADER) {
            bodyLeft = ((header[3] & 0xff) << 8) | (header[4] & 0xff);
          }
        } else {
          int take = Math.min(bodyLeft, end - i);
          i += take;
          bodyLeft -= take;
        }
        if (headerBytes == RECORD_HEADER && bodyLeft == 0) {
          if (header[0] == APPLICATION_DATA) {
            handshakeOver = true;
            if (held != null) {
              held.hold();
            }
          }
          headerBytes = 0;
        }
      }
    }
  }

  /** Passes bytes through until {@link #hold()}, then keeps them until {@link #release()}. */
  private static final class HeldOutput extends OutputStream {

    private final OutputStream tcpOut;
    private final ByteArrayOutputStream held = new ByteArrayOutputStream();
    private boolean holding; // guarded by this

    HeldOutput(OutputStream tcpOut) {
      this.tcpOut = tcpOut;
    }

    synchronized void hold() {
      holding = true;
    }

    synchronized void release() throws IOException {
      holding = false;
      if (held.size() > 0) {
        held.writeTo(tcpOut);
        held.reset();
        tcpOut.flush();
      }
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
      if (holding && held.size() + len <= HOLD_LIMIT) {
        held.write(b, off, len);
        return;
      }
      release();
      tcpOut.write(b, off, len);
    }

    @Override
    public synchronized void flush() throws IOException {
      if (!holding) {
        tcpOut.flush();
      }
    }
  }

  // Everything else is the TCP socket's.

  @Override
  public SocketChannel getChannel() {
    return tcp.getChannel();
  }

  @Override
  public void connect(SocketAddress endpoint, int timeout) throws IOException {
    throw new SocketException("a data connection's transport is already connected");
  }

  @Override
  public void bind(SocketAddress bindpoint) throws IOException {
    throw new SocketException("a data connection's transport is already bound");
  }

  @Override
  public InetAddress getInetAddress() {
    return tcp.getInetAddress();
  }

  @Override
  public InetAddress getLocalAddress() {
    return tcp.getLocalAddress();
  }

  @Override
  public int getPort() {
    return tcp.getPort();
  }

  @Override
  public int getLocalPort() {
    return tcp.getLocalPort();
  }

  @Override
  public SocketAddress getRemoteSocketAddress() {
    return tcp.getRemoteSocketAddress();
  }

  @Override
  public SocketAddress getLocalSocketAddress() {
    return tcp.getLocalSocketAddress();
  }

  @Override
  public boolean isConnected() {
    return tcp.isConnected();
  }

  @Override
  public boolean isBound() {
    return tcp.isBound();
  }

  @Override
  public boolean isClosed() {
    return tcp.isClosed();
  }

  @Override
  public void shutdownInput() throws IOException {
    tcp.shutdownInput();
  }

  @Override
  public boolean isInputShutdown() {
    return tcp.isInputShutdown();
  }

  @Override
  public boolean isOutputShutdown() {
    return tcp.isOutputShutdown();
  }

  @Override
  public void setSoTimeout(int timeout) throws SocketException {
    tcp.setSoTimeout(timeout);
  }

  @Override
  public int getSoTimeout() throws SocketException {
    return tcp.getSoTimeout();
  }

  @Override
  public void setTcpNoDelay(boolean on) throws SocketException {
    tcp.setTcpNoDelay(on);
  }

  @Override
  public boolean getTcpNoDelay() throws SocketException {
    return tcp.getTcpNoDelay();
  }

  @Override
  public void setSoLinger(boolean on, int linger) throws SocketException {
    tcp.setSoLinger(on, linger);
  }

  @Override
  public int getSoLinger() throws SocketException {
    return tcp.getSoLinger();
  }

  @Override
  public void setSendBufferSize(int size) throws SocketException {
    tcp.setSendBufferSize(size);
  }

  @Override
  public int getSendBufferSize() throws SocketException {
    return tcp.getSendBufferSize();
  }

  @Override
  public void setReceiveBufferSize(int size) throws SocketException {
    tcp.setReceiveBufferSize(size);
  }

  @Override
  public int getReceiveBufferSize() throws SocketException {
    return tcp.getReceiveBufferSize();
  }

  @Override
  public void setKeepAlive(boolean on) throws SocketException {
    tcp.setKeepAlive(on);
  }

  @Override
  public boolean getKeepAlive() throws SocketException {
    return tcp.getKeepAlive();
  }

  @Override
  public void setTrafficClass(int tc) throws SocketException {
    tcp.setTrafficClass(tc);
  }

  @Override
  public int getTrafficClass() throws SocketException {
    return tcp.getTrafficClass();
  }

  @Override
  public void setReuseAddress(boolean on) throws SocketException {
    tcp.setReuseAddress(on);
  }

  @Override
  public boolean getReuseAddress() throws SocketException {
    return tcp.getReuseAddress();
  }

  @Override
  public void setPerformancePreferences(int connectionTime, int latency, int bandwidth) {
    tcp.setPerformancePreferences(connectionTime, latency, bandwidth);
  }

  @Override
  public <T> Socket setOption(SocketOption<T> name, T value) throws IOException {
    tcp.setOption(name, value);
    return this;
  }

  @Override
  public <T> T getOption(SocketOption<T> name) throws IOException {
    return tcp.getOption(name);
  }

  @Override
  public Set<SocketOption<?>> supportedOptions() {
    return tcp.supportedOptions();
  }

  @Override
  public String toString() {
    return "data transport " + tcp;
  }
}
