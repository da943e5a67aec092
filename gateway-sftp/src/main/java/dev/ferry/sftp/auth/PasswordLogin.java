package dev.ferry.sftp.auth;

import dev.ferry.core.user.LoginGuard;
import dev.ferry.core.user.UserRegistry;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.server.auth.AsyncAuthException;
import org.apache.sshd.server.auth.password.PasswordAuthenticator;
import org.apache.sshd.server.session.ServerSession;

/**
 * SSH password logins through core's {@link LoginGuard}, as over FTPS: bcrypt hashes, failures
 * counted per address, a banned address refused without a check and told so ({@link BanNotice}). A refusal is answered only after
 * the guard's failure delay, so guessing stays slow; the answer is sent later instead of holding
 * MINA's I/O thread, which serves other sessions too.
 */
public final class PasswordLogin implements PasswordAuthenticator {

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
    LoginGuard.Attempt attempt = guard.attempt("SFTP", users, username, password.toCharArray(), address);
    if (attempt.user().isEmpty()) {
      throw refusedAfterDelay(attempt.banned() ? () -> BanNotice.disconnect(session, address, guard.banDuration())
          : () -> { });
    }
    session.setAttribute(FerryUsers.USER, attempt.user().get());
    return true;
  }

  /** {@code before} runs when the delay is over, just before the refusal is sent. */
  private AsyncAuthException refusedAfterDelay(Runnable before) {
    AsyncAuthException answer = new AsyncAuthException();
    REFUSALS.schedule(() -> {
      before.run();
      answer.setAuthed(false);
    }, guard.failureDelay().toMillis(), TimeUnit.MILLISECONDS);
    return answer;
  }
}
