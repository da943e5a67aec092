package dev.ferry.ftps.client;

import dev.ferry.core.session.ProxyProtocol;
import java.net.SocketAddress;
import java.util.function.Consumer;
import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.filterchain.IoFilterAdapter;
import org.apache.mina.core.session.IoSession;

/**
 * The first filter of an FTPS control connection when balancers are trusted: it reads the PROXY
 * protocol header before anything else sees a byte (implicit TLS included), and keeps FtpServer's
 * greeting back until it has, so that the 220 or 421 is decided for the client's address, not the
 * balancer's. A connection from any other address passes through once its first bytes are shown
 * not to be a header. FtpServer has no hook for this, so it is a MINA filter.
 */
public final class ProxyHeaderFilter extends IoFilterAdapter {

  static final String NAME = "ferryProxyHeader";
  private static final String READ = ProxyHeaderFilter.class.getName() + ".read";
  private static final String OPEN_HELD = ProxyHeaderFilter.class.getName() + ".openHeld";
  private static final String DONE = ProxyHeaderFilter.class.getName() + ".done";

  private final ProxyProtocol proxy;
  private final String listener;
  private final Consumer<IoSession> admit;

  /** {@code admit}: what a connection from a balancer does once its client is known (take its session slot). */
  public ProxyHeaderFilter(ProxyProtocol proxy, String listener, Consumer<IoSession> admit) {
    this.proxy = proxy;
    this.listener = listener;
    this.admit = admit;
  }

  /**
   * Puts the filter first on a connection just accepted; returns whether it waits for a header
   * (the connection is then admitted by the filter, not by the caller).
   */
  public boolean install(IoSession session) {
    session.getFilterChain().addFirst(NAME, this);
    SocketAddress peer = session.getRemoteAddress();
    if (!proxy.expectsHeaderFrom(peer)) {
      return false;
    }
    session.setAttribute(OPEN_HELD, Boolean.FALSE);
    proxy.closeUnlessHeaderIn(listener, peer, () -> session.containsAttribute(DONE) || !session.isConnected(),
        session::closeNow);
    return true;
  }

  @Override
  public void sessionOpened(NextFilter next, IoSession session) throws Exception {
    if (session.containsAttribute(OPEN_HELD) && !session.containsAttribute(DONE)) {
      session.setAttribute(OPEN_HELD, Boolean.TRUE); // the greeting waits for the client's address
      return;
    }
    next.sessionOpened(session);
  }

  @Override
  public void messageReceived(NextFilter next, IoSession session, Object message) throws Exception {
    if (session.containsAttribute(DONE) || !(message instanceof IoBuffer bytes)) {
      next.messageReceived(session, message);
      return;
    }
    IoBuffer read = (IoBuffer) session.getAttribute(READ);
    if (read == null) {
      read = IoBuffer.allocate(bytes.remaining()).setAutoExpand(true);
    }
    read.put(bytes);
    read.flip();
    ProxyProtocol.Outcome outcome = proxy.examine(listener, session.getRemoteAddress(), read.buf());
    if (outcome instanceof ProxyProtocol.Waiting) {
      read.position(read.limit()).limit(read.capacity());
      session.setAttribute(READ, read);
      return;
    }
    session.removeAttribute(READ);
    if (outcome instanceof ProxyProtocol.Refused) {
      session.closeNow();
      return;
    }
    ProxyProtocol.Client client = (ProxyProtocol.Client) outcome;
    boolean fromBalancer = session.containsAttribute(OPEN_HELD);
    if (fromBalancer) {
      FtpClientAddress.set(session, client.client());
    }
    session.setAttribute(DONE, Boolean.TRUE);
    if (fromBalancer) {
      admit.accept(session);
      if (Boolean.TRUE.equals(session.getAttribute(OPEN_HELD))) {
        next.sessionOpened(session);
      }
    }
    read.position(client.headerLength());
    if (read.hasRemaining()) {
      next.messageReceived(session, read.slice());
    }
  }
}
