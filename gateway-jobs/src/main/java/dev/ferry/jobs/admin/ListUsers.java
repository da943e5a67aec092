package dev.ferry.jobs.admin;

import dev.ferry.core.admin.AdminResponse;
import dev.ferry.core.session.SessionSlots;
import dev.ferry.core.user.Permission;
import dev.ferry.core.user.User;
import dev.ferry.core.user.UserRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * users: the configured users (an embedding application's own are not listed: Ferry does not know
 * them until they log in) with their home, permissions, role, how they may log in (never the hash
 * or the keys themselves) and their sessions on this node.
 */
final class ListUsers extends ReadCommand {

  private static final Syntax SYNTAX = Syntax.of("users", "users", 0);
  private final UserRegistry users;
  private final SessionSlots sessions;

  ListUsers(UserRegistry users, SessionSlots sessions) {
    super(SYNTAX);
    this.users = users;
    this.sessions = sessions;
  }

  @Override
  public AdminResponse run(AdminRequest request) {
    List<Map<String, Object>> list = new ArrayList<>();
    StringBuilder text = new StringBuilder();
    for (User user : users.all()) {
      Map<String, Object> facts = new LinkedHashMap<>();
      facts.put("name", user.name());
      facts.put("home", user.home().toString());
      facts.put("permissions", user.permissions().stream().map(Permission::label).sorted().toList());
      facts.put("admin", user.admin());
      facts.put("password", user.passwordHash() != null);
      facts.put("publicKeys", user.publicKeys().size());
      facts.put("sessions", sessions.sessionsOf(user.name()));
      list.add(facts);
      text.append(user.name()).append("  ").append(user.home()).append("  ")
          .append(user.permissions().stream().map(Permission::label).sorted().collect(Collectors.joining(",")))
          .append(user.admin() ? "  admin" : "").append("  sessions ").append(facts.get("sessions")).append('\n');
    }
    return AdminResponse.ok(text.length() == 0 ? "no users configured\n" : text.toString(), list);
  }
}
