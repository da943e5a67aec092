package dev.ferry.ftps;

import dev.ferry.core.ClientText;
import dev.ferry.core.user.LoginGuard;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Set;
import org.apache.ftpserver.ftplet.DefaultFtpReply;
import org.apache.ftpserver.ftplet.DefaultFtplet;
import org.apache.ftpserver.ftplet.FtpException;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.ftplet.FtpSession;
import org.apache.ftpserver.ftplet.FtpletResult;

/**
 * Who may talk to the FTPS server and how: no sessions while shutting down or from a banned
 * address (refused at the greeting, see {@link GreetingRefusal}), no login before TLS and no data transfer without PROT P (unless the config allows
 * plain FTP), no user name with a control character.
 */
final class SessionPolicy extends DefaultFtplet {

  private static final Set<String> LOGIN = Set.of("USER", "PASS");
  private static final Set<String> DATA = Set.of("STOR", "APPE", "RETR", "LIST", "NLST", "MLSD");

  private final boolean allowPlainFtp;
  private final LoginGuard guard;
  private volatile boolean refusing;

  SessionPolicy(boolean allowPlainFtp, LoginGuard guard) {
    this.allowPlainFtp = allowPlainFtp;
    this.guard = guard;
  }

  void refuseNewSessions() {
    refusing = true;
  }

  /**
   * Why a new session from {@code client} is refused, or null when it is not: the 421 that
   * {@link GreetingRefusal} sends in place of the greeting.
   */
  String refusal(SocketAddress client) {
    if (refusing) {
      return "Server is shutting down, try again later";
    }
    if (client instanceof InetSocketAddress address && address.getAddress() != null
        && guard.isBanned(address.getAddress().getHostAddress())) {
      return "Too many failed logins from your address, try again later";
    }
    return null;
  }

  @Override
  public FtpletResult beforeCommand(FtpSession session, FtpRequest request) throws FtpException, IOException {
    String command = request.getCommand();
    if (command.equals("USER") && request.getArgument() != null && ClientText.hasControl(request.getArgument())) {
      // FtpServer echoes the name in its 331 reply and logs it: a bare CR or ESC would go out raw.
      session.write(new DefaultFtpReply(501, "User name contains a control character"));
      return FtpletResult.SKIP;
    }
    if (allowPlainFtp) {
      return FtpletResult.DEFAULT;
    }
    if (LOGIN.contains(command) && !session.isSecure()) {
      session.write(new DefaultFtpReply(530, "TLS required: send AUTH TLS first (plain FTP is disabled)"));
      return FtpletResult.SKIP;
    }
    if (DATA.contains(command) && !session.getDataConnection().isSecure()) {
      session.write(new DefaultFtpReply(521, "Data connection must be protected: send PBSZ 0 and PROT P"));
      return FtpletResult.SKIP;
    }
    return FtpletResult.DEFAULT;
  }
}
