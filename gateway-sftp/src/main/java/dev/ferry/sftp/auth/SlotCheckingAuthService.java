package dev.ferry.sftp.auth;

import dev.ferry.core.session.SessionRefusedException;
import dev.ferry.core.session.SessionSlots;
import java.io.IOException;
import org.apache.sshd.common.Service;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.server.session.ServerUserAuthService;
import org.apache.sshd.server.session.ServerUserAuthServiceFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MINA's user-auth service, with the session limits checked once a login has succeeded and before
 * the client is told so: the only point where a public-key login is proven (the authenticator is
 * also asked before the signature is checked, by anyone who knows the public key), so a slot is
 * never held for a login that did not happen. A full limit disconnects with the reason.
 */
public final class SlotCheckingAuthService extends ServerUserAuthService {

  private static final Logger log = LoggerFactory.getLogger(SlotCheckingAuthService.class);

  /** Replaces MINA's {@link ServerUserAuthServiceFactory#INSTANCE} in the server's service factories. */
  public static final ServerUserAuthServiceFactory FACTORY = new ServerUserAuthServiceFactory() {
    @Override
    public Service create(Session session) throws IOException {
      return new SlotCheckingAuthService(session);
    }
  };

  private SlotCheckingAuthService(Session session) throws IOException {
    super(session);
  }

  @Override
  protected void handleAuthenticationSuccess(int cmd, Buffer buffer) throws Exception {
    Session session = getSession();
    SessionSlots.Slot slot = SshSessionSlots.slotOf(session);
    String user = FerryUsers.of(session).name();
    try {
      if (slot != null) {
        slot.loggedIn(user);
      }
    } catch (SessionRefusedException e) {
      log.info("SFTP login of {} from {} refused: {}", user, FerryUsers.addressOf(session), e.getMessage());
      SshSessionSlots.disconnect(session, SshConstants.SSH2_DISCONNECT_TOO_MANY_CONNECTIONS, e.clientMessage());
      return;
    }
    super.handleAuthenticationSuccess(cmd, buffer);
    if (slot != null) {
      slot.loginSucceeded();
    }
  }
}
