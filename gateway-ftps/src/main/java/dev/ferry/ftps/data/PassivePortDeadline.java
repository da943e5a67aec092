package dev.ferry.ftps.data;

import dev.ferry.ftps.client.FtpClientAddress;
import dev.ferry.core.session.Deadlines;
import java.io.IOException;
import java.time.Duration;
import java.util.Set;
import org.apache.ftpserver.ftplet.DefaultFtplet;
import org.apache.ftpserver.ftplet.FtpException;
import org.apache.ftpserver.ftplet.FtpReply;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.ftplet.FtpSession;
import org.apache.ftpserver.ftplet.FtpletResult;
import org.apache.ftpserver.impl.FtpIoSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives a passive port back when no transfer uses it in time. FtpServer keeps the port a PASV or
 * EPSV opened until the next transfer command or the end of the session, which NOOPs can put off
 * for good: sessions that ask for ports and never transfer would hold the whole range, and every
 * other client would get 425. A transfer command that starts ({@link DataChannel}) claims the
 * port; one not claimed within {@code ftps.passiveTimeout} is closed.
 */
public final class PassivePortDeadline extends DefaultFtplet {

  private static final Logger log = LoggerFactory.getLogger(PassivePortDeadline.class);
  private static final Set<String> PASSIVE = Set.of("PASV", "EPSV");
  private static final String OFFER = PassivePortDeadline.class.getName() + ".offer";

  private final Deadlines deadlines;
  private final Duration timeout;

  public PassivePortDeadline(Deadlines deadlines, Duration timeout) {
    this.deadlines = deadlines;
    this.timeout = timeout;
  }

  /** One port offered to the client: used by a transfer, or given back at the deadline, whichever comes first. */
  private static final class Offer {
    private boolean used;
    private boolean givenBack;
  }

  @Override
  public FtpletResult afterCommand(FtpSession session, FtpRequest request, FtpReply reply)
      throws FtpException, IOException {
    if (PASSIVE.contains(request.getCommand()) && reply != null && reply.getCode() / 100 == 2) {
      Offer offer = new Offer();
      session.setAttribute(OFFER, offer);
      deadlines.after(timeout, () -> {
        synchronized (offer) {
          if (offer.used) {
            return;
          }
          offer.givenBack = true;
        }
        log.info("FTPS passive port of {} from {} given back: no transfer within {} s (ftps.passiveTimeout)",
            session.getUser() == null ? "?" : session.getUser().getName(), FtpClientAddress.ipOf(session),
            timeout.toSeconds());
        session.getDataConnection().closeDataConnection();
      });
    }
    return FtpletResult.DEFAULT;
  }

  /**
   * The transfer starting on this session takes the port offered last; false when the deadline gave
   * it back first (the transfer then fails with 425, as for any port that is gone).
   */
  static boolean claim(FtpIoSession session) {
    if (!(session.getAttribute(OFFER) instanceof Offer offer)) {
      return true;
    }
    synchronized (offer) {
      offer.used = !offer.givenBack;
      return offer.used;
    }
  }
}
