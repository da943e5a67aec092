package dev.ferry.ftps.client;

import dev.ferry.core.session.ClientAddress;
import java.net.SocketAddress;
import org.apache.ftpserver.ftplet.FtpSession;
import org.apache.mina.core.session.IoSession;

/**
 * The address of an FTPS control connection's client: the socket's peer, or the source a trusted
 * balancer's PROXY protocol header named ({@link ProxyHeaderFilter}). Every limit, ban, check and
 * log line of the FTPS front-end asks here, never the socket.
 */
public final class FtpClientAddress {

  private static final String CLIENT = FtpClientAddress.class.getName() + ".client";

  private FtpClientAddress() {}

  static void set(IoSession session, SocketAddress client) {
    session.setAttribute(CLIENT, client);
  }

  public static SocketAddress of(IoSession session) {
    Object client = session.getAttribute(CLIENT);
    return client instanceof SocketAddress address ? address : session.getRemoteAddress();
  }

  public static SocketAddress of(FtpSession session) {
    Object client = session.getAttribute(CLIENT);
    return client instanceof SocketAddress address ? address : session.getClientAddress();
  }

  /** The client's IP as limits and logs key it ({@link ClientAddress}). */
  public static String ipOf(IoSession session) {
    return ClientAddress.of(of(session));
  }

  public static String ipOf(FtpSession session) {
    return ClientAddress.of(of(session));
  }
}
