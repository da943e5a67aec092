package dev.ferry.ftps.command;

import java.util.function.Supplier;
import org.apache.ftpserver.command.Command;
import org.apache.ftpserver.impl.DefaultFtpRequest;
import org.apache.ftpserver.impl.FtpIoSession;
import org.apache.ftpserver.impl.FtpServerContext;
import org.apache.mina.core.filterchain.IoFilterAdapter;
import org.apache.mina.core.session.IoSession;

/**
 * Answers FEAT before login, as RFC 2389 asks: clients (lftp) send it first to learn whether the
 * server has AUTH TLS, UTF8 or MLST. FtpServer allows only USER, PASS, AUTH, PBSZ, PROT and QUIT
 * before login, in a list its handler hard-codes, and refuses FEAT with 530; this filter runs
 * FtpServer's own FEAT command for it ahead of that check, so the reply is the one given after
 * login.
 */
public final class FeatBeforeLogin extends IoFilterAdapter {

  public static final String NAME = "ferryFeatBeforeLogin";

  private final Supplier<FtpServerContext> context;

  /** {@code context} is the running server's; sessions only arrive once it exists. */
  public FeatBeforeLogin(Supplier<FtpServerContext> context) {
    this.context = context;
  }

  @Override
  public void messageReceived(NextFilter next, IoSession session, Object message) throws Exception {
    if (message instanceof String line && line.strip().equalsIgnoreCase("FEAT")) {
      FtpServerContext server = context.get();
      FtpIoSession ftp = new FtpIoSession(session, server);
      Command feat = server.getCommandFactory().getCommand("FEAT");
      if (!ftp.isLoggedIn() && feat != null) {
        ftp.updateLastAccessTime();
        feat.execute(ftp, server, new DefaultFtpRequest(line.strip()));
        return;
      }
    }
    next.messageReceived(session, message);
  }
}
