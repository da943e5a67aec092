package dev.ferry.sftp.auth;

import dev.ferry.core.session.ProxyProtocol;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.server.session.AbstractServerSession;
import org.apache.sshd.server.session.ServerProxyAcceptor;
import org.apache.sshd.server.session.ServerSession;

/**
 * The PROXY protocol header of an SSH connection, read through MINA's hook for it before the
 * client's identification line: from a trusted balancer, its source becomes the session's client
 * address ({@link ServerSession#getClientAddress()}) and the connection takes its session slot
 * only then ({@link SshSessionSlots}); from any other address, a header closes the connection.
 */
public final class SshProxyHeader implements ServerProxyAcceptor {

  private static final AttributeRepository.AttributeKey<Boolean> ADMITTED = new AttributeRepository.AttributeKey<>();

  private final ProxyProtocol proxy;
  private final SshSessionSlots slots;

  public SshProxyHeader(ProxyProtocol proxy, SshSessionSlots slots) {
    this.proxy = proxy;
    this.slots = slots;
  }

  /**
   * MINA calls this again, from the same bytes, while the identification line after the header is
   * incomplete: each call skips the header again, the slot is taken once.
   */
  @Override
  public boolean acceptServerProxyMetadata(ServerSession session, Buffer buffer) {
    SocketAddress peer = session.getIoSession().getRemoteAddress();
    ProxyProtocol.Outcome outcome = proxy.examine("SFTP", peer,
        ByteBuffer.wrap(buffer.array(), buffer.rpos(), buffer.available()));
    if (outcome instanceof ProxyProtocol.Waiting) {
      return false;
    }
    if (outcome instanceof ProxyProtocol.Refused) {
      // Closed here rather than thrown: MINA would log every such connection as a warning of its own.
      session.close(true);
      return false;
    }
    ProxyProtocol.Client client = (ProxyProtocol.Client) outcome;
    buffer.rpos(buffer.rpos() + client.headerLength());
    if (proxy.expectsHeaderFrom(peer) && session.getAttribute(ADMITTED) == null) {
      session.setAttribute(ADMITTED, Boolean.TRUE);
      ((AbstractServerSession) session).setClientAddress(client.client());
      slots.admit(session);
    }
    return true;
  }
}
