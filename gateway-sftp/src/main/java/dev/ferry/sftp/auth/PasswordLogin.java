package dev.ferry.sftp.auth;

import dev.ferry.core.session.ClientText;
import dev.ferry.core.session.SessionSlots;
import dev.ferry.core.thread.DaemonThreads;
import dev.ferry.core.user.LoginGuard;
import dev.ferry.core.user.UserRegistry;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.server.auth.AsyncAuthException;
import org.apache.sshd.server.auth.password.PasswordAuthenticator;
import org.apache.sshd.server.session.ServerSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SSH password logins through core's {@link LoginGuard}, as over FTPS: bcrypt hashes, failures
 * counted per address, a banned address refused without a check and told so ({@link BanNotice}).
 * The check runs on a thread of its own and its answer is sent when it is done: MINA's two or three
 * I/O threads carry every session's traffic, and a bcrypt check (a tenth of a second of CPU or
 * more, and a wait for the address's turn) held one of them, so a burst of logins or of wrong
 * passwords stalled every transfer (a soak's SFTP channel opens waited over 15 s). A refusal is
 * answered only after the guard's failure delay, so guessing stays slow.
 *
 * <p>Each SFTP server has its own threads for this, closed with it: a check that blocks (an LDAP
 * server that does not answer) holds up the logins of that server only, not those of another
 * gateway in the same JVM.
 */
public final class PasswordLogin implements PasswordAuthenticator, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(PasswordLogin.class);

  /** Password checks: as many at once as there are cores, since bcrypt is all CPU. */
  private final ExecutorService checks = Executors.newFixedThreadPool(
      Math.max(2, Runtime.getRuntime().availableProcessors()), DaemonThreads.named("ferry-sftp-password-check"));
  /** Answers delayed refusals; one thread is plenty, it only flips a flag per refusal. */
  private final ScheduledExecutorService refusals =
      Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("ferry-sftp-login-refusals"));

  private final UserRegistry users;
  private final LoginGuard guard;

  public PasswordLogin(UserRegistry users, LoginGuard guard) {
    this.users = users;
    this.guard = guard;
  }

  @Override
  public boolean authenticate(String username, String password, ServerSession session) {
    SessionSlots.Slot slot = SshSessionSlots.slotOf(session);
    if (slot != null) {
      slot.credentialsSent();
    }
    AsyncAuthException answer = new AsyncAuthException();
    checks.execute(() -> check(username, password, session, slot, answer));
    throw answer;
  }

  private void check(String username, String password, ServerSession session, SessionSlots.Slot slot,
      AsyncAuthException answer) {
    String address = FerryUsers.addressOf(session);
    LoginGuard.Attempt attempt;
    try {
      attempt = guard.attempt("SFTP", users, username, password.toCharArray(), address);
    } catch (RuntimeException e) {
      log.error("SFTP password check of {} from {} failed", ClientText.forLog(username), address, e);
      attempt = new LoginGuard.Attempt(Optional.empty(), false);
    }
    if (attempt.user().isEmpty()) {
      if (slot != null) {
        slot.credentialsRefused();
        slot.loginFailed(username);
      }
      Runnable before = attempt.banned() ? () -> BanNotice.disconnect(session, address, guard.banDuration()) : () -> { };
      refusals.schedule(() -> {
        try {
          before.run();
        } finally {
          answer.setAuthed(false); // whatever the notice did, the client gets its answer
        }
      }, guard.failureDelay().toMillis(), TimeUnit.MILLISECONDS);
      return;
    }
    session.setAttribute(FerryUsers.USER, attempt.user().get());
    answer.setAuthed(true);
  }

  /** Stops the check and refusal threads; logins still waiting are left to their sessions' close. */
  @Override
  public void close() {
    checks.shutdownNow();
    refusals.shutdownNow();
  }
}
