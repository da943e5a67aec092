package dev.ferry.jobs.admin;

import dev.ferry.core.admin.AdminException;
import dev.ferry.core.admin.AdminResponse;
import dev.ferry.core.user.AccountFields;
import dev.ferry.core.user.UserAccount;
import dev.ferry.core.user.UserAccounts;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code user} command: the users kept as data, as /api/v1/users changes them (the same checks,
 * versions and activity lines, through {@link UserAccounts}), and disabling any user
 * ({@link SwitchUser}).
 *
 * <pre>
 * user add NAME --home s3://bucket/prefix/ [--permissions list,read] [--admin true|false] [--key LINE] [--generate-password]
 *          [--allow-from 203.0.113.0/24,2001:db8::/32] [--expires 2027-06-30T00:00:00Z]
 * user set NAME [--home ...] [--permissions ...] [--admin true|false] [--generate-password] [--allow-from ...]
 *          [--expires ...] [--version N]
 * user delete NAME [--version N]
 * user key add NAME LINE | user key remove NAME FINGERPRINT
 * user disable NAME [--reason TEXT] | user enable NAME
 * </pre>
 *
 * A password is never an argument: the words of a command are in the audit log. {@code
 * --generate-password} makes one (20 characters from a secure random source), shown once in the
 * answer; a user who wants their own sets it through the API's body.
 */
public final class UserCommand extends AdminCommand<UserChange> {

  private static final Map<String, Set<String>> OPTIONS = Map.of(
      "add", Set.of("home", "permissions", "admin", "key", "generate-password", "allow-from", "expires"),
      "set", Set.of("home", "permissions", "admin", "generate-password", "allow-from", "expires", "version"),
      "delete", Set.of("version"),
      "disable", Set.of("reason"),
      "enable", Set.of(),
      "key", Set.of());
  private static final char[] PASSWORD_CHARACTERS =
      "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789".toCharArray();
  private static final int GENERATED_LENGTH = 20;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final UserAccounts accounts;
  private final SwitchUser switches;

  UserCommand(UserAccounts accounts, SwitchUser switches) {
    super(Syntax.changes("user", "user add|set|delete|disable|enable <name> [options]"
        + " | user key add <name> <key line> | user key remove <name> <fingerprint>", 2).accepting(2, 4,
        Set.of("reason", "home", "permissions", "admin", "key", "version", "allow-from", "expires"),
        Set.of("generate-password")));
    this.accounts = accounts;
    this.switches = switches;
  }

  @Override
  public AdminResponse<UserChange> run(AdminRequest request) throws Exception {
    AdminArgs args = request.args();
    String action = args.positional(0);
    Set<String> allowed = OPTIONS.get(action);
    if (allowed == null) {
      throw AdminArgs.usage(this, "unknown sub-command '" + action + "' (add, set, delete, key, disable or enable)");
    }
    for (String given : args.given()) {
      if (!allowed.contains(given)) {
        throw AdminArgs.usage(this, "--" + given + " does not go with user " + action);
      }
    }
    int words = action.equals("key") ? 4 : 2;
    if (args.positional(words - 1) == null || args.positional(words) != null) {
      throw AdminArgs.usage(this, "user " + action + " takes " + (words - 1) + " argument(s) after '" + action + "'");
    }
    String name = args.positional(1);
    String by = request.caller().name();
    return switch (action) {
      case "add" -> add(name, args, by);
      case "set" -> set(name, args, by);
      case "delete" -> {
        accounts.delete(name, version(args), by);
        int closed = switches.closeSessionsOf(name, "deleted");
        yield AdminResponse.ok("user " + name + " deleted; " + closed + " session(s) on this node closed\n",
            UserChange.deleted(name, closed));
      }
      case "key" -> key(args, by);
      case "disable" -> switches.disable(name, request);
      default -> switches.enable(name);
    };
  }

  private AdminResponse<UserChange> add(String name, AdminArgs args, String by) throws Exception {
    String password = args.flag("generate-password") ? generated() : null;
    String key = args.option("key");
    UserAccount account = accounts.create(name, new AccountFields(password, null, args.option("home"),
        permissions(args), admin(args), key == null ? null : List.of(key), list(args, "allow-from"),
        args.option("expires"), null, null, null, null), by);
    return answer("user " + name + " added", account, password);
  }

  private AdminResponse<UserChange> set(String name, AdminArgs args, String by) throws Exception {
    String password = args.flag("generate-password") ? generated() : null;
    UserAccount account = accounts.update(name, new AccountFields(password, null, args.option("home"),
        permissions(args), admin(args), null, list(args, "allow-from"), args.option("expires"), null, null, null,
        null), false, version(args), by);
    return answer("user " + name + " changed", account, password);
  }

  private AdminResponse<UserChange> key(AdminArgs args, String by) throws Exception {
    String action = args.positional(1);
    String name = args.positional(2);
    String value = args.positional(3);
    return switch (action) {
      case "add" -> answer("key added to user " + name, accounts.addKey(name, value, by), null);
      case "remove" -> answer("key removed from user " + name,
          accounts.removeKey(name, value.startsWith("SHA256:") ? value : "SHA256:" + value, by), null);
      default -> throw AdminArgs.usage(this, "unknown sub-command 'key " + action + "' (key add or key remove)");
    };
  }

  private static AdminResponse<UserChange> answer(String what, UserAccount account, String password) {
    StringBuilder text = new StringBuilder(what).append(" (version ").append(account.version()).append(")\n");
    if (password != null) {
      text.append("password (shown once): ").append(password).append('\n');
    }
    return AdminResponse.ok(text.toString(), UserChange.account(account, password));
  }

  private static List<String> permissions(AdminArgs args) {
    return list(args, "permissions");
  }

  /** A comma-separated option as a list; "" for an empty one, null when not given. */
  private static List<String> list(AdminArgs args, String option) {
    String list = args.option(option);
    if (list == null) {
      return null;
    }
    return list.isBlank() ? List.of() : Arrays.stream(list.split(",")).map(String::trim).toList();
  }

  private Boolean admin(AdminArgs args) throws AdminException {
    String value = args.option("admin");
    if (value == null) {
      return null;
    }
    if (!value.equals("true") && !value.equals("false")) {
      throw AdminArgs.usage(this, "--admin must be true or false, got '" + value + "'");
    }
    return Boolean.parseBoolean(value);
  }

  private long version(AdminArgs args) throws AdminException {
    String value = args.option("version");
    if (value == null) {
      return UserAccounts.ANY_VERSION;
    }
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw AdminArgs.usage(this, "--version must be a number, got '" + value + "'");
    }
  }

  private static String generated() {
    char[] password = new char[GENERATED_LENGTH];
    for (int i = 0; i < password.length; i++) {
      password[i] = PASSWORD_CHARACTERS[RANDOM.nextInt(PASSWORD_CHARACTERS.length)];
    }
    return new String(password);
  }
}
