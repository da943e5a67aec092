package dev.ferry.jobs.admin;

import dev.ferry.core.admin.AdminResponse;
import dev.ferry.core.session.SessionSlots;
import dev.ferry.core.state.StateStoreException;
import dev.ferry.core.user.DisabledUsers;
import dev.ferry.core.user.Permission;
import dev.ferry.core.user.User;
import dev.ferry.core.user.UserAccount;
import dev.ferry.core.user.UserAccounts;
import dev.ferry.core.user.UserRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * users: the configured users, then those kept as data (with their version and their keys'
 * fingerprints and comments; an embedding application's own are not listed: Ferry does not know
 * them until they log in) with their home, permissions, role, how they may log in (never the hash
 * or the keys themselves), their sessions on this node and whether they are disabled (and why, by
 * whom, since when). Disabled users that are not configured (an application's own) follow, by name.
 */
final class ListUsers extends ReadCommand {

  private static final Syntax SYNTAX = Syntax.of("users", "users", 0);
  private final UserRegistry users;
  private final SessionSlots sessions;
  private final DisabledUsers disabled;
  private final UserAccounts accounts;

  ListUsers(UserRegistry users, SessionSlots sessions, DisabledUsers disabled, UserAccounts accounts) {
    super(SYNTAX);
    this.users = users;
    this.accounts = accounts;
    this.sessions = sessions;
    this.disabled = disabled;
  }

  @Override
  public AdminResponse run(AdminRequest request) throws StateStoreException {
    Map<String, DisabledUsers.Disabling> disabledUsers = new LinkedHashMap<>(disabled.all());
    List<Map<String, Object>> list = new ArrayList<>();
    StringBuilder text = new StringBuilder();
    Map<String, UserAccount> kept = new LinkedHashMap<>();
    accounts.all().forEach(account -> kept.put(account.name(), account));
    List<User> everyone = new ArrayList<>(users.all());
    kept.values().forEach(account -> everyone.add(account.user()));
    for (User user : everyone) {
      Map<String, Object> facts = new LinkedHashMap<>();
      facts.put("name", user.name());
      UserAccount account = kept.get(user.name());
      facts.put("source", account == null ? "config" : "store");
      if (account != null) {
        facts.put("version", account.version());
        facts.put("keys", account.keys().stream().map(key -> Map.of("fingerprint", key.fingerprint(),
            "comment", key.comment())).toList());
      }
      facts.put("home", user.home().toString());
      facts.put("permissions", user.permissions().stream().map(Permission::label).sorted().toList());
      facts.put("admin", user.admin());
      facts.put("password", user.passwordHash() != null);
      facts.put("publicKeys", user.publicKeys().size());
      facts.put("sessions", sessions.sessionsOf(user.name()));
      DisabledUsers.Disabling disabling = disabledUsers.remove(user.name());
      disabled(facts, disabling);
      list.add(facts);
      text.append(user.name()).append("  ").append(user.home()).append("  ")
          .append(user.permissions().stream().map(Permission::label).sorted().collect(Collectors.joining(",")))
          .append(user.admin() ? "  admin" : "").append("  sessions ").append(facts.get("sessions"))
          .append(disabledText(disabling)).append('\n');
    }
    for (DisabledUsers.Disabling disabling : disabledUsers.values()) {
      Map<String, Object> facts = new LinkedHashMap<>();
      facts.put("name", disabling.user());
      facts.put("configured", false);
      facts.put("sessions", sessions.sessionsOf(disabling.user()));
      disabled(facts, disabling);
      list.add(facts);
      text.append(disabling.user()).append("  (not configured)").append(disabledText(disabling)).append('\n');
    }
    return AdminResponse.ok(text.length() == 0 ? "no users configured\n" : text.toString(), list);
  }

  private static void disabled(Map<String, Object> facts, DisabledUsers.Disabling disabling) {
    facts.put("disabled", disabling != null);
    if (disabling != null) {
      facts.put("disabledReason", disabling.reason());
      facts.put("disabledBy", disabling.by());
      facts.put("disabledAt", disabling.at().toString());
    }
  }

  private static String disabledText(DisabledUsers.Disabling disabling) {
    return disabling == null ? "" : "  DISABLED by " + disabling.by() + " at " + disabling.at()
        + (disabling.reason().isEmpty() ? "" : ": " + disabling.reason());
  }
}
