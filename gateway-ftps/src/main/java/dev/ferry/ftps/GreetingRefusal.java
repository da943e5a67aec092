package dev.ferry.ftps;

import dev.ferry.ftps.client.FtpClientAddress;
import org.apache.ftpserver.ftplet.DefaultFtpReply;
import org.apache.ftpserver.ftplet.FtpReply;
import org.apache.mina.core.filterchain.IoFilterAdapter;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.core.write.DefaultWriteRequest;
import org.apache.mina.core.write.WriteRequest;

/**
 * Turns FtpServer's 220 greeting into a 421 that says why when a new session must be refused
 * (Ferry is shutting down, the client's address is banned, too many connections wait for a login:
 * {@link LoginSlots}), and closes the session once it is out.
 * Refused from FtpServer's onConnect instead, an implicit-TLS client never got the 421: it waited
 * behind the TLS handshake, and the session closed before the handshake let it out, so the client
 * saw a TLS reset. The greeting goes out after the handshake, for explicit and implicit alike.
 */
final class GreetingRefusal extends IoFilterAdapter {

  static final String NAME = "ferryGreetingRefusal";
  private static final String GREETED = GreetingRefusal.class.getName() + ".greeted";
  private static final String CLOSE_WHEN_SENT = GreetingRefusal.class.getName() + ".close";

  private final SessionPolicy policy;

  GreetingRefusal(SessionPolicy policy) {
    this.policy = policy;
  }

  @Override
  public void filterWrite(NextFilter next, IoSession session, WriteRequest request) throws Exception {
    if (request.getMessage() instanceof FtpReply reply && reply.getCode() == 220
        && session.setAttributeIfAbsent(GREETED, Boolean.TRUE) == null) {
      String refusal = policy.refusal(FtpClientAddress.of(session));
      if (refusal == null) {
        refusal = LoginSlots.refusal(session);
      }
      if (refusal != null) {
        session.setAttribute(CLOSE_WHEN_SENT, Boolean.TRUE);
        next.filterWrite(session, new DefaultWriteRequest(new DefaultFtpReply(421, refusal), request.getFuture()));
        return;
      }
    }
    next.filterWrite(session, request);
  }

  @Override
  public void messageSent(NextFilter next, IoSession session, WriteRequest request) throws Exception {
    next.messageSent(session, request);
    if (session.containsAttribute(CLOSE_WHEN_SENT)) {
      session.closeOnFlush();
    }
  }
}
