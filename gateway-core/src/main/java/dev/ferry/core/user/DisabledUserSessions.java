package dev.ferry.core.user;

import dev.ferry.core.event.SessionInfo;
import dev.ferry.core.session.ClientText;
import dev.ferry.core.session.SessionSlots;
import dev.ferry.core.state.StateStoreException;
import dev.ferry.core.thread.DaemonThreads;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes the sessions of disabled and deleted users on this node: at once for a user disabled or
 * deleted here, and every {@code interval} (the node heartbeat's, a third of the state store lease)
 * for users disabled or deleted on another node sharing the store, which cannot reach this node's
 * sessions. An upload a closed session has open is aborted, as for any connection that ends.
 */
public final class DisabledUserSessions implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(DisabledUserSessions.class);
  /** What the client is told; the reason stays with the administrators (the store, the log). */
  static final String CLIENT_REASON = "disconnected by an administrator";

  private final DisabledUsers disabled;
  private final UserRegistry users;
  private final SessionSlots sessions;
  private final ScheduledExecutorService sweeps;

  public DisabledUserSessions(DisabledUsers disabled, UserRegistry users, SessionSlots sessions, Duration interval) {
    this.disabled = disabled;
    this.users = users;
    this.sessions = sessions;
    this.sweeps = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("ferry-disabled-user-sweep"));
    long every = Math.max(100, interval.toMillis());
    sweeps.scheduleWithFixedDelay(this::sweep, every, every, TimeUnit.MILLISECONDS);
  }

  /**
   * Closes {@code user}'s logged-in sessions on this node; returns how many. A login still being
   * checked is left to its check, which refuses a disabled user as it refuses a wrong password.
   */
  public int closeSessionsOf(String user) {
    return closeSessionsOf(user, "disabled");
  }

  /** Closes {@code user}'s logged-in sessions on this node, the user being {@code what} (disabled, deleted). */
  public int closeSessionsOf(String user, String what) {
    int closed = 0;
    for (SessionInfo session : sessions.loginsAnnounced()) {
      if (user.equals(session.user()) && sessions.disconnect(session.id(), CLIENT_REASON)) {
        log.info("user {} is {}: session {} ({} from {}) closed", ClientText.forLog(user), what, session.id(),
            session.protocol(), session.address());
        closed++;
      }
    }
    return closed;
  }

  private void sweep() {
    try {
      Map<String, DisabledUsers.Disabling> all = disabled.all();
      // Each user once: a close is asynchronous, so a user's other sessions may still be listed.
      Set<String> loggedIn = new HashSet<>();
      for (SessionInfo session : sessions.loginsAnnounced()) {
        if (session.user() != null) {
          loggedIn.add(session.user());
        }
      }
      for (String user : loggedIn) {
        if (all.containsKey(user)) {
          closeSessionsOf(user);
        }
      }
      users.gone(loggedIn).forEach(user -> closeSessionsOf(user, "deleted"));
    } catch (StateStoreException | RuntimeException e) {
      log.warn("sessions of disabled users not checked: {}", e.getMessage());
    }
  }

  @Override
  public void close() {
    sweeps.shutdownNow();
  }
}
