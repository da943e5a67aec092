package dev.ferry.ftps.data;

import dev.ferry.core.session.ProxyHeader;
import dev.ferry.core.session.ProxyProtocol;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketAddress;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import javax.net.ssl.SSLSocket;
import org.apache.mina.core.session.IoSession;

/**
 * Whose a passive data connection is. Through a balancer (the shipped config's "pasv-node"
 * frontends) it comes from the balancer, with a PROXY protocol header that names the client; it is
 * read before TLS starts ({@code LayeredSocketFactory}), or before the first byte of a plain one,
 * and the connection is then held to the control connection's client like any other.
 */
public final class DataClient {

  private static final String PROXY = DataClient.class.getName() + ".proxy";
  /** TLS data sockets whose header was read before TLS was layered over them, and the client it named. */
  private static final Map<Socket, SocketAddress> FROM_HEADER = Collections.synchronizedMap(new WeakHashMap<>());

  private DataClient() {}

  /** The control connection's trust in balancers, for its plain data connections to read their headers with. */
  public static void install(IoSession controlSession, ProxyProtocol proxy) {
    controlSession.setAttribute(PROXY, proxy);
  }

  /**
   * Reads the header of a connection accepted from a trusted balancer, and not a byte more, and
   * returns the client it names; any other connection's peer is its client. Throws, with the reason
   * (already logged), when a balancer sent no valid header in time.
   */
  public static SocketAddress readHeader(ProxyProtocol proxy, Socket transport) throws IOException {
    SocketAddress peer = transport.getRemoteSocketAddress();
    if (!proxy.expectsHeaderFrom(peer)) {
      return peer;
    }
    int timeout = transport.getSoTimeout();
    transport.setSoTimeout((int) ProxyProtocol.HEADER_WAIT.toMillis());
    ProxyHeader.Result header = ProxyHeader.read(transport.getInputStream());
    transport.setSoTimeout(timeout);
    ProxyProtocol.Outcome outcome = proxy.decide("FTPS data", peer, header);
    if (outcome instanceof ProxyProtocol.Client client) {
      return client.client();
    }
    throw new IOException(((ProxyProtocol.Refused) outcome).reason());
  }

  /** Remembers the client a TLS data socket's header named. */
  public static void remember(SSLSocket socket, SocketAddress client) {
    FROM_HEADER.put(socket, client);
  }

  /** The client of an opened data connection of {@code controlSession}. */
  static SocketAddress of(IoSession controlSession, Socket socket) throws IOException {
    SocketAddress client = FROM_HEADER.remove(socket);
    if (client != null) {
      return client;
    }
    if (!(socket instanceof SSLSocket) && controlSession.getAttribute(PROXY) instanceof ProxyProtocol proxy) {
      return readHeader(proxy, socket);
    }
    return socket.getRemoteSocketAddress();
  }
}
