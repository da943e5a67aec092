package dev.ferry.jobs.admin;

import dev.ferry.core.admin.AdminException;
import dev.ferry.core.admin.AdminResponse;
import dev.ferry.core.admin.AdminStatus;
import dev.ferry.core.user.DisabledUserSessions;
import dev.ferry.core.user.DisabledUsers;
import dev.ferry.core.user.UserRegistry;

/**
 * user disable NAME [--reason TEXT] | user enable NAME (sub-commands of {@link UserCommand}): kept
 * in the state store, so every node refuses a disabled user's logins; the user's sessions on this
 * node are closed at once, those on other nodes at their next sweep (see {@link DisabledUserSessions}).
 */
final class SwitchUser {

  private final UserRegistry users;
  private final DisabledUsers disabled;
  private final DisabledUserSessions sessions;

  SwitchUser(UserRegistry users, DisabledUsers disabled, DisabledUserSessions sessions) {
    this.users = users;
    this.disabled = disabled;
    this.sessions = sessions;
  }

  /** Closes {@code name}'s sessions on this node, the user being {@code what} (deleted). */
  int closeSessionsOf(String name, String what) {
    return sessions.closeSessionsOf(name, what);
  }

  AdminResponse<UserChange> disable(String name, AdminRequest request) throws Exception {
    String reason = request.args().option("reason");
    if (reason != null && (reason.isBlank() || reason.length() > 500)) {
      throw new AdminException(AdminStatus.BAD_REQUEST, "user disable " + name
          + ": --reason must be 1-500 characters");
    }
    if (users.find(name).isEmpty()) {
      throw new AdminException(AdminStatus.NOT_FOUND, "user disable: unknown user '" + name + "' (not configured, not"
          + " kept in the state store, and not logged in through the application's authenticator on this node since it started); nothing"
          + " changed");
    }
    DisabledUsers.Disabling disabling = disabled.disable(name, reason == null ? "" : reason, request.caller().name());
    int closed = sessions.closeSessionsOf(name);
    return AdminResponse.ok("user " + name + " disabled; " + closed + " session(s) on this node closed\n",
        UserChange.disabled(name, disabling, closed));
  }

  AdminResponse<UserChange> enable(String name) throws Exception {
    boolean wasDisabled = disabled.enable(name);
    if (!wasDisabled && users.find(name).isEmpty()) {
      throw new AdminException(AdminStatus.NOT_FOUND, "user enable: unknown user '" + name + "' (not configured,"
          + " and not disabled); nothing changed");
    }
    return AdminResponse.ok("user " + name + (wasDisabled ? " enabled\n" : " was not disabled\n"),
        UserChange.enabled(name, wasDisabled));
  }
}
