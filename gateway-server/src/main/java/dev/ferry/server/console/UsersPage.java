package dev.ferry.server.console;

import dev.ferry.core.admin.AdminConsole;
import dev.ferry.core.admin.AdminResponse;
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

  private final AdminConsole commands;

  UsersPage(AdminConsole commands) {
    this.commands = commands;
  }

  /** One row of the users table. {@code kept}: kept as data (editable here); {@code configured}: in ferry.yaml. */
  record Row(String name, boolean kept, boolean configured, String home, List<String> permissions, boolean admin,
      String login, String sessions, boolean disabled, String disabledBy, String disabledReason) {}

  /** A user kept as data, for its edit page. */
  record Kept(String name, String version, String home, List<String> permissions, boolean admin, List<Key> keys) {}

  record Key(String fingerprint, String comment) {}

  FullHttpResponse list(ConsoleSession session) {
    AdminResponse response = Console.run(commands, session, "users", List.of());
    if (!response.ok()) {
      return ConsoleRoutes.refused(session, "Users", response);
    }
    return ok(ConsoleTemplates.render("users", Map.of("session", session,
        "users", users(response).stream().map(UsersPage::row).toList())));
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
    AdminResponse response = Console.run(commands, session, "users", List.of());
    if (!response.ok()) {
      return ConsoleRoutes.refused(session, "Users", response);
    }
    Optional<Map<?, ?>> user = users(response).stream().filter(u -> name.equals(u.get("name"))).findFirst();
    if (user.isEmpty() || !"store".equals(user.get().get("source"))) {
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
    AdminResponse response = Console.run(commands, session, "user", words);
    return response.ok() ? ConsoleReplies.redirect(then) : ConsoleRoutes.refused(session, "Users", response);
  }

  /** A user command that may generate a password: its page shows it once, with links on. */
  private FullHttpResponse generated(ConsoleSession session, List<String> words, String title, String name,
      boolean added) {
    AdminResponse response = Console.run(commands, session, "user", words);
    if (!response.ok()) {
      return ConsoleRoutes.refused(session, "Users", response);
    }
    Object password = ((Map<?, ?>) response.data()).get("generatedPassword");
    return ok(ConsoleTemplates.render("userChanged", Map.of("session", session, "title", title, "user", name,
        "generatedPassword", password == null ? "" : String.valueOf(password), "added", added)));
  }

  private static String editUrl(String name) {
    return "/console/users/edit?user=" + Urls.encode(name);
  }

  private static List<Map<?, ?>> users(AdminResponse response) {
    List<Map<?, ?>> users = new ArrayList<>();
    ((List<?>) response.data()).forEach(item -> users.add((Map<?, ?>) item));
    return users;
  }

  private static Row row(Map<?, ?> user) {
    // A disabled user that is not configured (an application's own) has no keys Ferry knows of.
    Object keys = user.get("publicKeys") == null ? 0 : user.get("publicKeys");
    String login = (Boolean.TRUE.equals(user.get("password")) ? "password" : "")
        + (Boolean.TRUE.equals(user.get("password")) && !"0".equals(String.valueOf(keys)) ? ", " : "")
        + ("0".equals(String.valueOf(keys)) ? "" : keys + " SSH key(s)");
    Object reason = user.get("disabledReason");
    return new Row(String.valueOf(user.get("name")), "store".equals(user.get("source")), user.containsKey("source"),
        user.get("home") == null ? "" : String.valueOf(user.get("home")), strings(user.get("permissions")),
        Boolean.TRUE.equals(user.get("admin")), login, String.valueOf(user.get("sessions")),
        Boolean.TRUE.equals(user.get("disabled")), String.valueOf(user.get("disabledBy")),
        reason == null ? "" : String.valueOf(reason));
  }

  private static Kept kept(Map<?, ?> user) {
    List<?> keys = user.get("keys") instanceof List<?> list ? list : List.of();
    return new Kept(String.valueOf(user.get("name")), String.valueOf(user.get("version")),
        String.valueOf(user.get("home")), strings(user.get("permissions")), Boolean.TRUE.equals(user.get("admin")),
        keys.stream().map(item -> (Map<?, ?>) item).map(key -> new Key(String.valueOf(key.get("fingerprint")),
            String.valueOf(key.get("comment")))).toList());
  }

  private static List<String> strings(Object list) {
    return list instanceof List<?> items ? items.stream().map(String::valueOf).toList() : List.of();
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
