package dev.ferry.sftp.auth;

import dev.ferry.core.user.LoginGuard;
import dev.ferry.core.user.User;
import dev.ferry.core.user.UserRegistry;
import java.util.Optional;
import org.apache.sshd.server.auth.password.PasswordAuthenticator;
import org.apache.sshd.server.session.ServerSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SSH password logins against core's bcrypt hashes; failures count per address in core's
 * {@link LoginGuard}, shared with FTPS, and a banned address is refused without a check.
 */
public final class PasswordLogin implements PasswordAuthenticator {

  private static final Logger log = LoggerFactory.getLogger(PasswordLogin.class);

  private final UserRegistry users;
  private final LoginGuard guard;

  public PasswordLogin(UserRegistry users, LoginGuard guard) {
    this.users = users;
    this.guard = guard;
  }

  @Override
  public boolean authenticate(String username, String password, ServerSession session) {
    String address = FerryUsers.addressOf(session);
    if (guard.isBanned(address)) {
      log.warn("SFTP login as {} from banned address {} refused", username, address);
      return false;
    }
    Optional<User> user = users.authenticate(username, password.toCharArray());
    if (user.isEmpty()) {
      boolean banned = guard.failed(address);
      log.warn("SFTP password login failed for user {} from {}{}", username, address,
          banned ? "; address banned for a while" : "");
      return false;
    }
    guard.succeeded(address);
    session.setAttribute(FerryUsers.USER, user.get());
    log.info("SFTP login (password): {} from {}", username, address);
    return true;
  }
}
