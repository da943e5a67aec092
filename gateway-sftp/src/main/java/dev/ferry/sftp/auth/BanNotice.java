package dev.ferry.sftp.auth;

import java.io.IOException;
import java.time.Duration;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.server.session.ServerSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a banned address hears over SSH. A refused SSH login carries no reason (the client only
 * learns which methods may continue), so the session is ended with a disconnect message that says
 * why, which OpenSSH prints ("Received disconnect ...: address ... is banned ..."), as FTPS answers
 * 421 with the reason.
 */
final class BanNotice {

  private static final Logger log = LoggerFactory.getLogger(BanNotice.class);

  private BanNotice() {}

  static void disconnect(ServerSession session, String address, Duration ban) {
    try {
      session.disconnect(SshConstants.SSH2_DISCONNECT_NO_MORE_AUTH_METHODS_AVAILABLE, "address " + address
          + " is banned after too many failed logins; try again in " + Math.max(1, ban.toMinutes()) + " minutes");
    } catch (IOException e) {
      log.debug("disconnect of banned address {} failed: {}", address, e.getMessage());
    }
  }
}
