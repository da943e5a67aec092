package dev.ferry.server.console;

import dev.ferry.core.admin.AdminResponse;
import dev.ferry.jobs.admin.AdminCommandRegistry;
import dev.ferry.jobs.admin.ListUsers.UserFacts;
import dev.ferry.jobs.admin.ListUsers;
import dev.ferry.jobs.admin.UserChange;
import dev.ferry.jobs.admin.UserCommand;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Users page: every user (the {@code users} command), each with Disable or Enable; a form that
 * adds a user kept as data (with a pasted key, a generated password shown once, or both); and for
 * a kept user an edit page (home, permissions, admin, a new generated password, keys added and
 * removed, delete). Every change runs the {@code user} command as the signed-in admin, so it is
 * checked, versioned and audited as over SSH exec and the API.
 */
final class UsersPage {

  private final AdminCommandRegistry commands;

  UsersPage(AdminCommandRegistry commands) {
    this.commands = commands;
  }

  /** One row of the users table. {@code kept}: kept as data (editable here); {@code configured}: in ferry.yaml. */
  record Row(String name, boolean kept, boolean configured, String home, List<String> permissions, boolean admin,
      String login, String sessions, boolean disabled, String disabledBy, String disabledReason, String quota) {}

  /** A user kept as data, for its edit page. */
  record Kept(String name, long version, String home, List<String> permissions, boolean admin,
      List<ListUsers.Key> keys) {}

  FullHttpResponse list(ConsoleSession session) {
    AdminResponse<List<UserFacts>> response = Console.run(commands, session, ListUsers.class, List.of());
    if (!response.ok()) {
      return ConsoleRoutes.refused(session, "Users", response);
    }
    return ok(ConsoleTemplates.render("users", Map.of("session", session,
        "users", response.data().stream().map(UsersPage::row).toList())));
  }

  /** Disable (with the reason typed beside it) and Enable. */
  FullHttpResponse switchUser(ConsoleSession session, String action, Map<String, List<String>> form) {
    List<String> words = new ArrayList<>(List.of(action, Console.first(form, "user")));
    String reason = Console.first(form, "reason").strip();
    if (action.equals("disable") && !reason.isEmpty()) {
      words.addAll(List.of("--reason", reason));
    }
    return changed(session, words, "/console/users");
  }

  /** The add form: user add NAME --home H --permissions P [--admin true] [--key K] [--generate-password]. */
  FullHttpResponse add(ConsoleSession session, Map<String, List<String>> form) {
    String name = Console.first(form, "name").strip();
    List<String> words = new ArrayList<>(List.of("add", name, "--home", Console.first(form, "home").strip(),
        "--permissions", permissions(form), "--admin", Boolean.toString(checked(form, "admin"))));
    String key = Console.first(form, "key").strip();
    if (!key.isEmpty()) {
      words.addAll(List.of("--key", key));
    }
    if (checked(form, "generate")) {
      words.add("--generate-password");
    }
    return generated(session, words, "User " + name + " added", name, true);
  }

  FullHttpResponse edit(ConsoleSession session, String name) {
    AdminResponse<List<UserFacts>> response = Console.run(commands, session, ListUsers.class, List.of());
    if (!response.ok()) {
      return ConsoleRoutes.refused(session, "Users", response);
    }
    Optional<UserFacts> user = response.data().stream().filter(u -> name.equals(u.name())).findFirst();
    if (user.isEmpty() || !"store".equals(user.get().source())) {
      return ConsoleReplies.html(HttpResponseStatus.NOT_FOUND, ConsolePages.problem(session, "Users",
          user.isEmpty() ? "no user '" + name + "'" : "user " + name + " is declared in ferry.yaml; change it there"));
    }
    return ok(ConsoleTemplates.render("userEdit", Map.of("session", session, "user", kept(user.get()))));
  }

  /** Save on the edit page: user set NAME --home H --permissions P --admin A --version V. */
  FullHttpResponse set(ConsoleSession session, Map<String, List<String>> form) {
    String name = Console.first(form, "user");
    List<String> words = new ArrayList<>(List.of("set", name, "--home", Console.first(form, "home").strip(),
        "--permissions", permissions(form), "--admin", Boolean.toString(checked(form, "admin")),
        "--version", Console.first(form, "version")));
    return changed(session, words, editUrl(name));
  }

  /** A new generated password for the user, shown once. */
  FullHttpResponse newPassword(ConsoleSession session, Map<String, List<String>> form) {
    String name = Console.first(form, "user");
    return generated(session, List.of("set", name, "--generate-password"), "User " + name, name, false);
  }

  FullHttpResponse addKey(ConsoleSession session, Map<String, List<String>> form) {
    String name = Console.first(form, "user");
    return changed(session, List.of("key", "add", name, Console.first(form, "key").strip()), editUrl(name));
  }

  FullHttpResponse removeKey(ConsoleSession session, Map<String, List<String>> form) {
    String name = Console.first(form, "user");
    return changed(session, List.of("key", "remove", name, Console.first(form, "fingerprint")), editUrl(name));
  }

  FullHttpResponse delete(ConsoleSession session, Map<String, List<String>> form) {
    return changed(session, List.of("delete", Console.first(form, "user")), "/console/users");
  }

  private FullHttpResponse changed(ConsoleSession session, List<String> words, String then) {
    AdminResponse<UserChange> response = Console.run(commands, session, UserCommand.class, words);
    return response.ok() ? ConsoleReplies.redirect(then) : ConsoleRoutes.refused(session, "Users", response);
  }

  /** A user command that may generate a password: its page shows it once, with links on. */
  private FullHttpResponse generated(ConsoleSession session, List<String> words, String title, String name,
      boolean added) {
    AdminResponse<UserChange> response = Console.run(commands, session, UserCommand.class, words);
    if (!response.ok()) {
      return ConsoleRoutes.refused(session, "Users", response);
    }
    String password = response.data().generatedPassword();
    return ok(ConsoleTemplates.render("userChanged", Map.of("session", session, "title", title, "user", name,
        "generatedPassword", password == null ? "" : password, "added", added)));
  }

  private static String editUrl(String name) {
    return "/console/users/edit?user=" + Urls.encode(name);
  }

  private static Row row(UserFacts user) {
    // A disabled user that is not configured (an application's own) has no keys Ferry knows of.
    int keys = user.publicKeys() == null ? 0 : user.publicKeys();
    boolean password = Boolean.TRUE.equals(user.password());
    String login = (password ? "password" : "") + (password && keys > 0 ? ", " : "")
        + (keys == 0 ? "" : keys + " SSH key(s)");
    return new Row(user.name(), "store".equals(user.source()), user.source() != null,
        user.home() == null ? "" : user.home(), user.permissions() == null ? List.of() : user.permissions(),
        Boolean.TRUE.equals(user.admin()), login, String.valueOf(user.sessions()), user.disabled(),
        String.valueOf(user.disabledBy()), user.disabledReason() == null ? "" : user.disabledReason(),
        quota(user.quota()));
  }

  /** "1.2 MB of 10.0 GB, 3 of 100 files"; "" without a quota. */
  private static String quota(ListUsers.Quota quota) {
    if (quota == null) {
      return "";
    }
    String bytes = JobProgress.size(quota.usedBytes()) + (quota.bytes() > 0 ? " of " + JobProgress.size(quota.bytes())
        : "");
    String files = quota.usedFiles() + (quota.files() > 0 ? " of " + quota.files() : "") + " files";
    return bytes + ", " + files;
  }

  private static Kept kept(UserFacts user) {
    return new Kept(user.name(), user.version(), user.home(), user.permissions(), Boolean.TRUE.equals(user.admin()),
        user.keys());
  }

  private static String permissions(Map<String, List<String>> form) {
    return String.join(",", form.getOrDefault("permission", List.of()));
  }

  private static boolean checked(Map<String, List<String>> form, String name) {
    return "true".equals(Console.first(form, name));
  }

  private static FullHttpResponse ok(String html) {
    return ConsoleReplies.html(HttpResponseStatus.OK, html);
  }
}
