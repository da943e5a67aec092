package dev.ferry.ftps.data;

import dev.ferry.core.session.ProxyProtocol;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.Callable;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * The JDK's socket factory, remembering which TCP socket lies under each TLS socket it layers
 * (FtpServer accepts a passive data connection, then wraps it in TLS). Closing a TLS socket goes
 * through the TLS layer, which waits for a writer blocked on a client that stopped reading;
 * closing the TCP socket under it does not wait, which is what an ABOR needs. Every passive data
 * connection is layered over a {@link DataTransport}: quick ACKs during its handshake, and an
 * upload's server output held after it. A passive connection from a trusted
 * balancer has its PROXY protocol header read before TLS is layered over it ({@link DataClient}).
 */
public final class LayeredSocketFactory extends SSLSocketFactory {

  private static final Map<SSLSocket, Socket> TRANSPORTS = Collections.synchronizedMap(new WeakHashMap<>());

  /** Set while FtpServer opens the data connection of an upload, on the thread that opens it. */
  private static final ThreadLocal<Boolean> OPENING_UPLOAD = ThreadLocal.withInitial(() -> false);

  private final SSLSocketFactory jdk;
  private final ProxyProtocol proxy;

  public LayeredSocketFactory(SSLSocketFactory jdk, ProxyProtocol proxy) {
    this.jdk = jdk;
    this.proxy = proxy;
  }

  /**
   * Closes a data connection at once, from any thread, even while a writer is blocked on it: the
   * TCP socket under a TLS one is closed directly.
   */
  public static void closeNow(Socket socket) {
    Socket transport = transportOf(socket);
    if (transport != null) {
      closeQuietly(transport);
      return;
    }
    // A TLS socket this factory did not layer (active mode): its close may wait for a blocked
    // writer, so it must not run on the thread that asked.
    Thread closer = new Thread(() -> closeQuietly(socket), "ferry-data-close");
    closer.setDaemon(true);
    closer.start();
  }

  /**
   * The TCP socket under {@code socket}: the one this factory layered a TLS socket over, or
   * {@code socket} itself if it is not TLS; null for a TLS socket this factory did not layer.
   */
  static Socket transportOf(Socket socket) {
    return socket instanceof SSLSocket tls ? TRANSPORTS.get(tls) : socket;
  }

  /** Opens an upload's data connection: FtpServer layers TLS over the accepted socket inside. */
  public static <T> T openingUpload(Callable<T> open) throws Exception {
    OPENING_UPLOAD.set(true);
    try {
      return open.call();
    } finally {
      OPENING_UPLOAD.remove();
    }
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // the socket is being thrown away; a failed close leaves nothing to do
    }
  }

  @Override
  public Socket createSocket(Socket transport, String host, int port, boolean autoClose) throws IOException {
    // A handshake is request/response: with Nagle on, the server's last handshake record can wait
    // for the client's delayed ACK of the one before (40 ms on Linux), on every data connection.
    transport.setTcpNoDelay(true);
    SocketAddress client = DataClient.readHeader(proxy, transport);
    Socket layer = new DataTransport(transport, OPENING_UPLOAD.get());
    Socket tls = jdk.createSocket(layer, host, port, autoClose);
    if (tls instanceof SSLSocket ssl) {
      TRANSPORTS.put(ssl, transport); // the TCP socket itself: an abort drops what an upload held
      DataClient.remember(ssl, client);
    }
    return tls;
  }

  @Override
  public String[] getDefaultCipherSuites() {
    return jdk.getDefaultCipherSuites();
  }

  @Override
  public String[] getSupportedCipherSuites() {
    return jdk.getSupportedCipherSuites();
  }

  @Override
  public Socket createSocket() throws IOException {
    Socket active = jdk.createSocket(); // an active-mode data connection, connected by FtpServer
    active.setTcpNoDelay(true);
    return active;
  }

  @Override
  public Socket createSocket(String host, int port) throws IOException {
    return jdk.createSocket(host, port);
  }

  @Override
  public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
    return jdk.createSocket(host, port, localHost, localPort);
  }

  @Override
  public Socket createSocket(InetAddress host, int port) throws IOException {
    return jdk.createSocket(host, port);
  }

  @Override
  public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
      throws IOException {
    return jdk.createSocket(address, port, localAddress, localPort);
  }
}
