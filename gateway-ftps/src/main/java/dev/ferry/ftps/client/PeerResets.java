package dev.ferry.ftps.client;

import java.io.IOException;
import java.util.Set;
import javax.net.ssl.SSLException;
import org.apache.mina.core.filterchain.IoFilterAdapter;
import org.apache.mina.core.filterchain.IoFilterChain;
import org.apache.mina.core.session.IoSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client that resets its control connection (a socket closed with replies still unread, a process
 * killed, a middlebox dropping the flow) ends its session as a QUIT would: the session is closed,
 * and a logged-in session's end goes to the activity log (EXIT) as any other's. FtpServer's handler
 * logged each such reset at ERROR with a stack trace, though nothing failed on the server: Node's
 * basic-ftp closing a session right after a refused command did it now and then, and an operator
 * alerting on ERROR lines would be woken by clients hanging up.
 */
public final class PeerResets extends IoFilterAdapter {

  private static final Logger log = LoggerFactory.getLogger(PeerResets.class);
  public static final String NAME = "ferryPeerResets";

  /** What the JDK's sockets say when the peer reset the connection, reading or writing. */
  private static final Set<String> RESET = Set.of("Connection reset", "Connection reset by peer", "Broken pipe");

  /** Right after {@code before}: ahead of FtpServer's logging filter and handler. */
  public static void install(IoFilterChain chain, String before) {
    chain.addAfter(before, NAME, new PeerResets());
  }

  @Override
  public void exceptionCaught(NextFilter next, IoSession session, Throwable cause) throws Exception {
    if (isReset(cause)) {
      log.debug("FTPS client {} reset its control connection ({}); session closed", FtpClientAddress.of(session),
          cause.getMessage());
      session.closeNow();
      return;
    }
    next.exceptionCaught(session, cause);
  }

  static boolean isReset(Throwable cause) {
    return cause instanceof IOException && !(cause instanceof SSLException) && cause.getMessage() != null
        && RESET.contains(cause.getMessage());
  }
}
