package dev.ferry.ftps;

import dev.ferry.core.session.ClientAddress;
import dev.ferry.core.session.ClientText;
import dev.ferry.core.session.IpAddressText;
import dev.ferry.core.session.SessionRefusedException;
import dev.ferry.core.session.SessionSlots;
import dev.ferry.core.user.LoginGuard;
import dev.ferry.ftps.auth.LoginAddress;
import dev.ferry.ftps.client.FtpClientAddress;
import dev.ferry.ftps.data.ActiveTarget;
import dev.ferry.ftps.fs.GatewayFileSystemView;
import java.io.IOException;
import java.net.SocketAddress;
import java.util.Set;
import org.apache.ftpserver.ftplet.DefaultFtpReply;
import org.apache.ftpserver.ftplet.DefaultFtplet;
import org.apache.ftpserver.ftplet.FtpException;
import org.apache.ftpserver.ftplet.FtpReply;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.ftplet.FtpSession;
import org.apache.ftpserver.ftplet.FtpletResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may talk to the FTPS server and how: no sessions while shutting down or from a banned
 * address (refused at the greeting, see {@link GreetingRefusal}), no login before TLS and no data transfer without PROT P (unless the config allows
 * plain FTP), no user name with a control character, no login past the session limits, no second
 * login on a logged-in session.
 */
final class SessionPolicy extends DefaultFtplet {

  private static final String USER_TRIED = SessionPolicy.class.getName() + ".userTried";

  private static final Logger log = LoggerFactory.getLogger(SessionPolicy.class);

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
    if (guard.isBanned(ClientAddress.of(client))) {
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
    if (!allowPlainFtp && LOGIN.contains(command) && !session.isSecure()) {
      session.write(new DefaultFtpReply(530, "TLS required: send AUTH TLS first (plain FTP is disabled)"));
      return FtpletResult.SKIP;
    }
    if (!allowPlainFtp && DATA.contains(command) && !session.getDataConnection().isSecure()) {
      session.write(new DefaultFtpReply(521, "Data connection must be protected: send PBSZ 0 and PROT P"));
      return FtpletResult.SKIP;
    }
    if (LOGIN.contains(command) && session.isLoggedIn()) {
      // FtpServer closes the session on USER with another name, and took a second PASS as a login.
      String user = session.getUser().getName();
      boolean same = command.equals("PASS") || user.equals(request.getArgument());
      session.write(same ? new DefaultFtpReply(230, "Already logged in as " + user)
          : new DefaultFtpReply(530, "Already logged in as " + user + "; log in as another user on a new connection"));
      return FtpletResult.SKIP;
    }
    if (command.equals("PORT") || command.equals("EPRT")) {
      return checkActiveTarget(session, request);
    }
    if (command.equals("PASS")) {
      // FtpServer forgets the user name when the password is refused; the AUTH_FAILURE event names it.
      session.setAttribute(USER_TRIED, session.getUserArgument());
      LoginAddress.set(FtpClientAddress.ipOf(session));
      FtpletResult result = reserveLogin(session);
      if (result != FtpletResult.DEFAULT) {
        LoginAddress.clear(); // no PASS runs to take it
      }
      return result;
    }
    return FtpletResult.DEFAULT;
  }

  /**
   * A data connection is opened only to the client's own address, behind a balancer too (where
   * FtpServer's own check would compare with the balancer's): a PORT to another host would make
   * Ferry connect to any host and port the client names (the FTP bounce attack).
   */
  private FtpletResult checkActiveTarget(FtpSession session, FtpRequest request) throws FtpException {
    String host = ActiveTarget.host(request.getCommand(), request.getArgument());
    if (host == null) {
      session.write(new DefaultFtpReply(501, request.getCommand() + " argument is not an IP address and port: "
          + ClientText.forLog(String.valueOf(request.getArgument()))));
      return FtpletResult.SKIP;
    }
    String client = FtpClientAddress.ipOf(session);
    String target;
    try {
      target = IpAddressText.of(java.net.InetAddress.getByName(host)); // a literal (ActiveTarget): no look-up
    } catch (java.net.UnknownHostException e) {
      target = host;
    }
    if (!target.equals(client)) {
      session.write(new DefaultFtpReply(501, "Data connections go only to your own address " + client + ", not "
          + ClientText.forLog(host)));
      return FtpletResult.SKIP;
    }
    return FtpletResult.DEFAULT;
  }

  /**
   * The session limits are checked before the password, so that a full limit is refused without
   * the 230 going out first; the slot is held for the user while the password is checked and given
   * back in {@link #afterCommand} when the login failed. Only a connection that can log in (TLS,
   * not banned) gets here.
   */
  private FtpletResult reserveLogin(FtpSession session) throws FtpException {
    SessionSlots.Slot slot = LoginSlots.slotOf(session);
    String user = session.getUserArgument();
    if (slot == null || session.isLoggedIn() || user == null) {
      return FtpletResult.DEFAULT;
    }
    try {
      slot.loggedIn(user);
      return FtpletResult.DEFAULT;
    } catch (SessionRefusedException e) {
      log.info("FTPS login of {} from {} refused: {}", ClientText.forLog(user),
          FtpClientAddress.ipOf(session), e.getMessage());
      session.write(new DefaultFtpReply(421, e.clientMessage()));
      return FtpletResult.DISCONNECT;
    }
  }

  @Override
  public FtpletResult afterCommand(FtpSession session, FtpRequest request, FtpReply reply)
      throws FtpException, IOException {
    String command = request.getCommand();
    SessionSlots.Slot slot = LoginSlots.slotOf(session);
    if (slot != null && command.equals("PASS") && session.isLoggedIn()
        && session.getFileSystemView() instanceof GatewayFileSystemView view) {
      view.fileSystem().joinSession(slot);
      slot.loginSucceeded();
    } else if (slot != null && (command.equals("REIN") || command.equals("PASS")) && !session.isLoggedIn()) {
      slot.loggedOut();
      if (command.equals("PASS") && reply.getCode() == FtpReply.REPLY_530_NOT_LOGGED_IN) {
        slot.loginFailed((String) session.getAttribute(USER_TRIED));
      }
    }
    return FtpletResult.DEFAULT;
  }
}
