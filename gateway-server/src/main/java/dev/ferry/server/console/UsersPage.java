package dev.ferry.server.console;

import dev.ferry.core.admin.AdminConsole;
import dev.ferry.core.admin.AdminResponse;
import dev.ferry.core.user.Permission;
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

  FullHttpResponse list(ConsoleSession session) {
    AdminResponse response = Console.run(commands, session, "users", List.of());
    if (!response.ok()) {
      return ConsoleRoutes.refused(session, "Users", response);
    }
    return ok(Layout.page("Users", session, table(session, users(response)) + addForm(session)));
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
    AdminResponse response = Console.run(commands, session, "user", words);
    if (!response.ok()) {
      return ConsoleRoutes.refused(session, "Users", response);
    }
    return ok(Layout.page("User " + name + " added", session, generated(response)
        + "<p><a id=\"edit-user\" href=\"/console/users/edit?user=" + Html.url(name) + "\">Edit " + Html.text(name)
        + "</a> · <a href=\"/console/users\">All users</a></p>"));
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
    return ok(Layout.page("User " + name, session, editForm(session, user.get())));
  }

  /** Save on the edit page: user set NAME --home H --permissions P --admin A --version V. */
  FullHttpResponse set(ConsoleSession session, Map<String, List<String>> form) {
    String name = Console.first(form, "user");
    List<String> words = new ArrayList<>(List.of("set", name, "--home", Console.first(form, "home").strip(),
        "--permissions", permissions(form), "--admin", Boolean.toString(checked(form, "admin")),
        "--version", Console.first(form, "version")));
    return changed(session, words, "/console/users/edit?user=" + java.net.URLEncoder.encode(name, java.nio.charset.StandardCharsets.UTF_8));
  }

  /** A new generated password for the user, shown once. */
  FullHttpResponse newPassword(ConsoleSession session, Map<String, List<String>> form) {
    String name = Console.first(form, "user");
    AdminResponse response = Console.run(commands, session, "user", List.of("set", name, "--generate-password"));
    if (!response.ok()) {
      return ConsoleRoutes.refused(session, "Users", response);
    }
    return ok(Layout.page("User " + name, session, generated(response)
        + "<p><a href=\"/console/users/edit?user=" + Html.url(name) + "\">Back to " + Html.text(name) + "</a></p>"));
  }

  FullHttpResponse addKey(ConsoleSession session, Map<String, List<String>> form) {
    String name = Console.first(form, "user");
    return changed(session, List.of("key", "add", name, Console.first(form, "key").strip()),
        "/console/users/edit?user=" + java.net.URLEncoder.encode(name, java.nio.charset.StandardCharsets.UTF_8));
  }

  FullHttpResponse removeKey(ConsoleSession session, Map<String, List<String>> form) {
    String name = Console.first(form, "user");
    return changed(session, List.of("key", "remove", name, Console.first(form, "fingerprint")),
        "/console/users/edit?user=" + java.net.URLEncoder.encode(name, java.nio.charset.StandardCharsets.UTF_8));
  }

  FullHttpResponse delete(ConsoleSession session, Map<String, List<String>> form) {
    return changed(session, List.of("delete", Console.first(form, "user")), "/console/users");
  }

  private FullHttpResponse changed(ConsoleSession session, List<String> words, String then) {
    AdminResponse response = Console.run(commands, session, "user", words);
    return response.ok() ? ConsoleReplies.redirect(then) : ConsoleRoutes.refused(session, "Users", response);
  }

  private static List<Map<?, ?>> users(AdminResponse response) {
    List<Map<?, ?>> users = new ArrayList<>();
    ((List<?>) response.data()).forEach(item -> users.add((Map<?, ?>) item));
    return users;
  }

  private static String generated(AdminResponse response) {
    Object password = ((Map<?, ?>) response.data()).get("generatedPassword");
    return password == null ? "" : "<p class=\"notice ok\">Password, shown once: <code id=\"generated-password\">"
        + Html.text(password) + "</code></p>";
  }

  /** The users, each with its status and a Disable or Enable form; kept users link to their edit page. */
  private static String table(ConsoleSession session, List<Map<?, ?>> users) {
    StringBuilder html = new StringBuilder("<table class=\"users\"><thead><tr><th>User</th><th>Home</th>")
        .append("<th>Permissions</th><th>Role</th><th>Logs in with</th><th>Sessions here</th><th>Status</th>")
        .append("<th></th></tr></thead><tbody>");
    for (Map<?, ?> user : users) {
      // A disabled user that is not configured (an application's own) has no keys Ferry knows of.
      Object keys = user.get("publicKeys") == null ? 0 : user.get("publicKeys");
      String login = (Boolean.TRUE.equals(user.get("password")) ? "password" : "")
          + (Boolean.TRUE.equals(user.get("password")) && !"0".equals(String.valueOf(keys)) ? ", " : "")
          + ("0".equals(String.valueOf(keys)) ? "" : keys + " SSH key(s)");
      String name = String.valueOf(user.get("name"));
      html.append("<tr class=\"user\" data-user=\"").append(Html.text(name)).append("\"><td>");
      if ("store".equals(user.get("source"))) {
        html.append("<a class=\"edit\" href=\"/console/users/edit?user=").append(Html.url(name)).append("\">")
            .append(Html.text(name)).append("</a>");
      } else {
        html.append(Html.text(name)).append(user.containsKey("source") ? " <small>(ferry.yaml)</small>" : "");
      }
      html.append("</td><td>").append(user.get("home") == null ? "" : Html.text(user.get("home")))
          .append("</td><td>").append(Html.text(user.get("permissions") instanceof List<?> permissions
              ? String.join(", ", permissions.stream().map(String::valueOf).toList()) : "")).append("</td><td>")
          .append(Boolean.TRUE.equals(user.get("admin")) ? "admin" : "").append("</td><td>").append(Html.text(login))
          .append("</td><td class=\"sessions\">").append(Html.text(user.get("sessions"))).append("</td>")
          .append(userSwitch(session, user)).append("</tr>");
    }
    return html.append("</tbody></table>").toString();
  }

  /** The status cell and the Disable or Enable form of one user's row. */
  private static String userSwitch(ConsoleSession session, Map<?, ?> user) {
    boolean disabled = Boolean.TRUE.equals(user.get("disabled"));
    StringBuilder html = new StringBuilder("<td class=\"status\">");
    if (disabled) {
      Object reason = user.get("disabledReason");
      html.append("disabled by ").append(Html.text(user.get("disabledBy")))
          .append(reason == null || String.valueOf(reason).isEmpty() ? "" : ": " + Html.text(reason));
    } else {
      html.append("enabled");
    }
    html.append("</td><td><form method=\"post\" action=\"/console/users/").append(disabled ? "enable" : "disable")
        .append("\">").append(Layout.csrfField(session)).append(hidden("user", user.get("name")));
    if (disabled) {
      html.append("<button type=\"submit\" class=\"enable\">Enable</button>");
    } else {
      html.append("<input type=\"text\" name=\"reason\" placeholder=\"reason\" maxlength=\"500\">")
          .append("<button type=\"submit\" class=\"danger disable\">Disable</button>");
    }
    return html.append("</form></td>").toString();
  }

  private static String addForm(ConsoleSession session) {
    return "<h2>Add a user</h2><form id=\"add-user\" class=\"stacked\" method=\"post\" action=\"/console/users/add\">"
        + Layout.csrfField(session)
        + "<label>Name <input type=\"text\" id=\"new-name\" name=\"name\" required maxlength=\"64\""
        + " pattern=\"[A-Za-z0-9._@-]{1,64}\"></label>"
        + "<label>Home <input type=\"text\" id=\"new-home\" name=\"home\" required placeholder=\"s3://bucket/prefix/\"></label>"
        + permissionBoxes("new", List.of("list", "read"))
        + "<label class=\"check\"><input type=\"checkbox\" id=\"new-admin\" name=\"admin\" value=\"true\"> admin</label>"
        + "<label>SSH public key <textarea id=\"new-key\" name=\"key\" rows=\"3\""
        + " placeholder=\"ssh-ed25519 AAAA... comment\"></textarea></label>"
        + "<label class=\"check\"><input type=\"checkbox\" id=\"new-generate\" name=\"generate\" value=\"true\" checked>"
        + " generate a password (shown once)</label>"
        + "<button type=\"submit\" id=\"add-user-button\">Add user</button></form>";
  }

  private static String editForm(ConsoleSession session, Map<?, ?> user) {
    String name = String.valueOf(user.get("name"));
    List<String> permissions = user.get("permissions") instanceof List<?> list
        ? list.stream().map(String::valueOf).toList() : List.of();
    StringBuilder html = new StringBuilder("<form id=\"edit-user\" class=\"stacked\" method=\"post\"")
        .append(" action=\"/console/users/set\">").append(Layout.csrfField(session)).append(hidden("user", name))
        .append(hidden("version", user.get("version")))
        .append("<label>Home <input type=\"text\" id=\"edit-home\" name=\"home\" required value=\"")
        .append(Html.text(user.get("home"))).append("\"></label>").append(permissionBoxes("edit", permissions))
        .append("<label class=\"check\"><input type=\"checkbox\" id=\"edit-admin\" name=\"admin\" value=\"true\"")
        .append(Boolean.TRUE.equals(user.get("admin")) ? " checked" : "").append("> admin</label>")
        .append("<button type=\"submit\" id=\"save-user\">Save</button></form>");
    html.append("<h2>SSH keys</h2><table class=\"keys\"><thead><tr><th>Fingerprint</th><th>Comment</th><th></th>")
        .append("</tr></thead><tbody>");
    List<?> keys = user.get("keys") instanceof List<?> list ? list : List.of();
    for (Object item : keys) {
      Map<?, ?> key = (Map<?, ?>) item;
      html.append("<tr class=\"key\" data-fingerprint=\"").append(Html.text(key.get("fingerprint"))).append("\"><td><code>")
          .append(Html.text(key.get("fingerprint"))).append("</code></td><td>").append(Html.text(key.get("comment")))
          .append("</td><td><form method=\"post\" action=\"/console/users/key/remove\">")
          .append(Layout.csrfField(session)).append(hidden("user", name)).append(hidden("fingerprint", key.get("fingerprint")))
          .append("<button type=\"submit\" class=\"danger remove-key\">Remove</button></form></td></tr>");
    }
    if (keys.isEmpty()) {
      html.append("<tr><td colspan=\"3\">no keys</td></tr>");
    }
    return html.append("</tbody></table><form id=\"add-key\" class=\"stacked\" method=\"post\"")
        .append(" action=\"/console/users/key/add\">").append(Layout.csrfField(session)).append(hidden("user", name))
        .append("<label>Add a key <textarea id=\"add-key-line\" name=\"key\" rows=\"3\" required")
        .append(" placeholder=\"ssh-ed25519 AAAA... comment\"></textarea></label>")
        .append("<button type=\"submit\" id=\"add-key-button\">Add key</button></form>")
        .append("<h2>Password and account</h2><form method=\"post\" action=\"/console/users/password\">")
        .append(Layout.csrfField(session)).append(hidden("user", name))
        .append("<button type=\"submit\" id=\"new-password\">Generate a new password</button></form>")
        .append("<form method=\"post\" action=\"/console/users/delete\">").append(Layout.csrfField(session))
        .append(hidden("user", name)).append("<button type=\"submit\" class=\"danger\" id=\"delete-user\">Delete ")
        .append(Html.text(name)).append("</button></form>").toString();
  }

  private static String permissionBoxes(String id, List<String> checked) {
    StringBuilder html = new StringBuilder("<fieldset class=\"permissions\"><legend>Permissions</legend>");
    for (Permission permission : Permission.values()) {
      html.append("<label class=\"check\"><input type=\"checkbox\" id=\"").append(id).append("-perm-").append(permission.label())
          .append("\" name=\"permission\" value=\"").append(permission.label()).append("\"")
          .append(checked.contains(permission.label()) ? " checked" : "").append("> ").append(permission.label())
          .append("</label>");
    }
    return html.append("</fieldset>").toString();
  }

  private static String permissions(Map<String, List<String>> form) {
    return String.join(",", form.getOrDefault("permission", List.of()));
  }

  private static boolean checked(Map<String, List<String>> form, String name) {
    return "true".equals(Console.first(form, name));
  }

  private static String hidden(String name, Object value) {
    return "<input type=\"hidden\" name=\"" + name + "\" value=\"" + Html.text(value) + "\">";
  }

  private static FullHttpResponse ok(String html) {
    return ConsoleReplies.html(HttpResponseStatus.OK, html);
  }
}
