package dev.ferry.jobs.admin;

import dev.ferry.core.admin.AdminException;
import dev.ferry.core.admin.AdminResponse;
import dev.ferry.core.admin.AdminStatus;
import dev.ferry.core.user.DisabledUserSessions;
import dev.ferry.core.user.DisabledUsers;
import dev.ferry.core.user.UserRegistry;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * user disable NAME [--reason TEXT] | user enable NAME: kept in the state store, so every node
 * refuses a disabled user's logins; the user's sessions on this node are closed at once, those on
 * other nodes at their next sweep (see {@link DisabledUserSessions}).
 */
final class SwitchUser implements AdminCommand {

  private static final Syntax SYNTAX = new Syntax("user", "user disable|enable <name> [--reason text]", 2, 2,
      Set.of("reason"), Set.of());
  private final UserRegistry users;
  private final DisabledUsers disabled;
  private final DisabledUserSessions sessions;

  SwitchUser(UserRegistry users, DisabledUsers disabled, DisabledUserSessions sessions) {
    this.users = users;
    this.disabled = disabled;
    this.sessions = sessions;
  }

  @Override
  public Syntax syntax() {
    return SYNTAX;
  }

  @Override
  public AdminResponse run(AdminRequest request) throws Exception {
    String action = request.args().positional(0);
    String name = request.args().positional(1);
    return switch (action) {
      case "disable" -> disable(name, request);
      case "enable" -> enable(name, request);
      default -> throw AdminArgs.usage(this, "unknown sub-command '" + action + "' (disable or enable)");
    };
  }

  private AdminResponse disable(String name, AdminRequest request) throws Exception {
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
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("user", name);
    data.put("disabled", true);
    data.put("reason", disabling.reason());
    data.put("by", disabling.by());
    data.put("sessionsClosed", closed);
    return AdminResponse.ok("user " + name + " disabled; " + closed + " session(s) on this node closed\n", data);
  }

  private AdminResponse enable(String name, AdminRequest request) throws Exception {
    if (request.args().option("reason") != null) {
      throw AdminArgs.usage(this, "--reason goes with disable only");
    }
    boolean wasDisabled = disabled.enable(name);
    if (!wasDisabled && users.find(name).isEmpty()) {
      throw new AdminException(AdminStatus.NOT_FOUND, "user enable: unknown user '" + name + "' (not configured,"
          + " and not disabled); nothing changed");
    }
    return AdminResponse.ok("user " + name + (wasDisabled ? " enabled\n" : " was not disabled\n"),
        Map.of("user", name, "disabled", false, "wasDisabled", wasDisabled));
  }
}
