package dev.ferry.sftp.auth;

import dev.ferry.core.user.LoginGuard;
import dev.ferry.core.user.User;
import dev.ferry.core.user.UserRegistry;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.server.auth.AsyncAuthException;
import org.apache.sshd.server.auth.password.PasswordAuthenticator;
import org.apache.sshd.server.session.ServerSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SSH password logins against core's bcrypt hashes; failures count per address in core's
 * {@link LoginGuard}, shared with FTPS, and a banned address is refused without a check. A refusal
 * is answered only after the guard's failure delay, as over FTPS, so guessing stays slow; the
 * answer is sent later instead of holding MINA's I/O thread, which serves other sessions too.
 */
public final class PasswordLogin implements PasswordAuthenticator {

  private static final Logger log = LoggerFactory.getLogger(PasswordLogin.class);

  /** Answers delayed refusals; one thread is plenty, it only flips a flag per refusal. */
  private static final ScheduledExecutorService REFUSALS = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread thread = new Thread(r, "ferry-sftp-login-refusals");
    thread.setDaemon(true);
    return thread;
  });

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
      throw refusedAfterDelay();
    }
    Optional<User> user = users.authenticate(username, password.toCharArray());
    if (user.isEmpty()) {
      boolean banned = guard.failed(address);
      log.warn("SFTP password login failed for user {} from {}{}", username, address,
          banned ? "; address banned for a while" : "");
      throw refusedAfterDelay();
    }
    guard.succeeded(address);
    session.setAttribute(FerryUsers.USER, user.get());
    log.info("SFTP login (password): {} from {}", username, address);
    return true;
  }

  private AsyncAuthException refusedAfterDelay() {
    AsyncAuthException answer = new AsyncAuthException();
    REFUSALS.schedule(() -> answer.setAuthed(false), guard.failureDelay().toMillis(), TimeUnit.MILLISECONDS);
    return answer;
  }
}
