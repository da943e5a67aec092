package dev.ferry.sftp.auth;

import dev.ferry.core.session.ProxyProtocol;
import dev.ferry.core.session.SessionRefusedException;
import dev.ferry.core.session.SessionSlots;
import java.io.IOException;
import java.net.SocketAddress;
import java.util.function.BooleanSupplier;
import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionContext;
import org.apache.sshd.common.session.SessionListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each SSH connection's place in core's {@link SessionSlots}: taken when the connection is accepted
 * (refused while shutting down, or when too many connections wait for a login), moved to the user
 * at login ({@link SlotCheckingAuthService}), given back when it closes. A connection that has not
 * logged in by the login deadline, or is the oldest waiting when too many wait, is disconnected.
 */
public final class SshSessionSlots implements SessionListener {

  private static final Logger log = LoggerFactory.getLogger(SshSessionSlots.class);
  private static final AttributeRepository.AttributeKey<SessionSlots.Slot> SLOT = new AttributeRepository.AttributeKey<>();

  private final SessionSlots slots;
  private final ProxyProtocol proxy;
  private final BooleanSupplier shuttingDown;

  /** {@code maxSessions}: sftp.maxSessions, SFTP's own limit among core's. */
  public SshSessionSlots(SessionSlots slots, int maxSessions, ProxyProtocol proxy, BooleanSupplier shuttingDown) {
    this.slots = slots;
    slots.limit("SFTP", new SessionSlots.ProtocolMaximum(maxSessions, "sftp.maxSessions"));
    this.proxy = proxy;
    this.shuttingDown = shuttingDown;
  }

  @Override
  public void sessionCreated(Session session) {
    SocketAddress peer = session.getIoSession().getRemoteAddress();
    if (proxy.expectsHeaderFrom(peer)) {
      // Its client is known from the PROXY protocol header (SshProxyHeader), which admits it.
      proxy.closeUnlessHeaderIn("SFTP", peer, () -> slotOf(session) != null || session.isClosing(),
          () -> session.close(true));
      return;
    }
    admit(session);
  }

  /** Takes the slot of a connection whose client is known, or refuses it. */
  void admit(Session session) {
    String address = FerryUsers.addressOf(session);
    if (shuttingDown.getAsBoolean()) {
      log.info("SFTP connection from {} refused: shutting down", address);
      disconnect(session, SshConstants.SSH2_DISCONNECT_SERVICE_NOT_AVAILABLE, "server is shutting down, try again later");
      return;
    }
    try {
      session.setAttribute(SLOT, slots.open("SFTP", address, reason -> {
        log.info("SFTP connection from {} closed: {}", address, reason);
        disconnect(session, SshConstants.SSH2_DISCONNECT_BY_APPLICATION, reason);
      }));
    } catch (SessionRefusedException e) {
      log.info("SFTP connection from {} refused: {}", address, e.getMessage());
      disconnect(session, SshConstants.SSH2_DISCONNECT_TOO_MANY_CONNECTIONS, e.clientMessage());
    }
  }

  @Override
  public void sessionClosed(Session session) {
    SessionSlots.Slot slot = session.getAttribute(SLOT);
    if (slot != null) {
      slot.close();
    }
  }

  /** The slot of an accepted connection; null for one refused at connect, which is closing. */
  public static SessionSlots.Slot slotOf(SessionContext session) {
    return session.getAttribute(SLOT);
  }

  /** Disconnects with a reason the client prints (OpenSSH: "Received disconnect from ...: reason"). */
  static void disconnect(Session session, int code, String reason) {
    try {
      session.disconnect(code, reason);
    } catch (IOException e) {
      log.debug("disconnect of {} failed: {}", session, e.getMessage());
      session.close(true);
    }
  }
}
