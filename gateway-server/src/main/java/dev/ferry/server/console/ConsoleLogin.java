package dev.ferry.server.console;

import dev.ferry.core.session.ClientText;
import dev.ferry.core.user.LoginGuard;
import dev.ferry.core.user.User;
import dev.ferry.core.user.UserRegistry;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A console sign-in: the same check as an FTPS or SFTP password login (bcrypt, the address's turn,
 * failures counted towards a ban on every protocol and node), and then the admin role. A user
 * without it gets the same answer as a wrong password: the page does not tell which names hold it.
 */
final class ConsoleLogin {

  private static final Logger log = LoggerFactory.getLogger(ConsoleLogin.class);

  /** How a sign-in ended: the admin user, or refused, and whether the address is banned. */
  record Outcome(Optional<User> admin, boolean banned) {}

  private final UserRegistry users;
  private final LoginGuard guard;

  ConsoleLogin(UserRegistry users, LoginGuard guard) {
    this.users = users;
    this.guard = guard;
  }

  Outcome attempt(String name, char[] password, String address) {
    LoginGuard.Attempt attempt = guard.attempt("console", users, name, password, address);
    if (attempt.user().isEmpty()) {
      return new Outcome(Optional.empty(), attempt.banned());
    }
    if (!attempt.user().get().admin()) {
      log.warn("console sign-in refused for {} from {}: not an administrator", ClientText.forLog(name), address);
      return new Outcome(Optional.empty(), false);
    }
    return new Outcome(attempt.user(), false);
  }
}
