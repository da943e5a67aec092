package dev.ferry.ftps;

import dev.ferry.core.session.SessionRefusedException;
import dev.ferry.core.session.SessionSlots;
import dev.ferry.ftps.client.FtpClientAddress;
import dev.ferry.ftps.data.AbortWatch;
import org.apache.ftpserver.ftplet.DefaultFtpReply;
import org.apache.ftpserver.ftplet.FtpSession;
import org.apache.mina.core.filterchain.IoFilterAdapter;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.filter.ssl.SslFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each FTPS control connection's place in core's {@link SessionSlots}: taken when the connection is
 * accepted, before any TLS handshake, so that a crowd of silent or slow connections is bounded by
 * the unauthenticated budget; moved to the user at PASS ({@link SessionPolicy}); given back when
 * the connection closes. A connection refused here gets its 421 in place of the greeting
 * ({@link GreetingRefusal}); one that has not logged in by the login deadline, or is the oldest
 * waiting when too many wait, is closed.
 */
final class LoginSlots extends IoFilterAdapter {

  static final String NAME = "ferryLoginSlots";
  private static final Logger log = LoggerFactory.getLogger(LoginSlots.class);
  private static final String SLOT = LoginSlots.class.getName() + ".slot";
  private static final String REFUSAL = LoginSlots.class.getName() + ".refusal";

  private final SessionSlots slots;

  /** {@code maxLogins}: ftps.maxLogins, FTPS's own limit among core's. */
  LoginSlots(SessionSlots slots, int maxLogins) {
    this.slots = slots;
    slots.limit("FTPS", new SessionSlots.ProtocolMaximum(maxLogins, "ftps.maxLogins"));
  }

  /**
   * Takes the slot of a connection just accepted, or records why it is refused, and watches for
   * its close. Called from FtpServer's session filter, which runs as the connection is created.
   */
  void admit(IoSession session) {
    String address = FtpClientAddress.ipOf(session);
    try {
      session.setAttribute(SLOT, slots.open("FTPS", address, reason -> close(session, address, reason)));
    } catch (SessionRefusedException e) {
      log.info("FTPS connection from {} refused: {}", address, e.getMessage());
      session.setAttribute(REFUSAL, e.clientMessage());
    }
    session.getFilterChain().addLast(NAME, this);
  }

  @Override
  public void sessionClosed(NextFilter next, IoSession session) throws Exception {
    SessionSlots.Slot slot = slotOf(session);
    if (slot != null) {
      slot.close();
    }
    next.sessionClosed(session);
  }

  private static void close(IoSession session, String address, String reason) {
    if (!session.isConnected()) {
      // Its close never came through the chain (see TlsFailures): give the slot back here, or it
      // would count against the address for as long as Ferry runs.
      log.warn("FTPS connection from {} had closed without its session slot being given back; given back now",
          address);
      slotOf(session).close();
      return;
    }
    log.info("FTPS connection from {} closed: {}", address, reason);
    AbortWatch.abortRunning(session, reason);
    if (session.getFilterChain().contains(SslFilter.class) && !session.containsAttribute(SslFilter.SSL_SECURED)) {
      // In the middle of its TLS handshake a connection cannot take a reply (MINA's SslFilter
      // failed on it with a NullPointerException, logged as an error).
      session.closeNow();
      return;
    }
    session.write(new DefaultFtpReply(421, "Closing: " + reason));
    session.closeOnFlush();
  }

  /** Why this connection was refused when it was accepted, or null. */
  static String refusal(IoSession session) {
    return (String) session.getAttribute(REFUSAL);
  }

  /** The slot of this session's connection; null for a connection refused at accept. */
  static SessionSlots.Slot slotOf(FtpSession session) {
    return (SessionSlots.Slot) session.getAttribute(SLOT);
  }

  private static SessionSlots.Slot slotOf(IoSession session) {
    return (SessionSlots.Slot) session.getAttribute(SLOT);
  }
}
