package dev.ferry.jobs.admin;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.ferry.core.admin.AdminResponse;
import dev.ferry.core.quota.QuotaUsage;
import dev.ferry.core.quota.Quotas;
import dev.ferry.core.session.SessionSlots;
import dev.ferry.core.user.DisabledUsers;
import dev.ferry.core.user.Permission;
import dev.ferry.core.user.User;
import dev.ferry.core.user.UserAccount;
import dev.ferry.core.user.UserAccounts;
import dev.ferry.core.user.UserRegistry;
import java.io.IOException;
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
public final class ListUsers extends AdminCommand<List<ListUsers.UserFacts>> {

  /**
   * One user. {@code source} "config" or "store" for a configured or kept user, null (and {@code
   * configured} false) for a disabled user Ferry knows only by name; {@code version} and {@code keys}
   * for a kept user; the disabling's facts when disabled. What is null is left out of the JSON.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record UserFacts(String name, String source, Boolean configured, Long version, List<Key> keys, String home,
      List<String> permissions, Boolean admin, Boolean password, Integer publicKeys, int sessions, boolean disabled,
      String disabledReason, String disabledBy, String disabledAt, Quota quota) {}

  /** A user's quota (0: none of that kind) and what the home holds against it. */
  public record Quota(long bytes, long files, long usedBytes, long usedFiles) {}

  /** A kept user's key, by its fingerprint and comment (never the key itself). */
  public record Key(String fingerprint, String comment) {}

  private final UserRegistry users;
  private final SessionSlots sessions;
  private final DisabledUsers disabled;
  private final UserAccounts accounts;
  private final Quotas quotas;

  ListUsers(UserRegistry users, SessionSlots sessions, DisabledUsers disabled, UserAccounts accounts, Quotas quotas) {
    super(Syntax.reads("users", "users", 0));
    this.users = users;
    this.accounts = accounts;
    this.sessions = sessions;
    this.disabled = disabled;
    this.quotas = quotas;
  }

  @Override
  public AdminResponse<List<UserFacts>> run(AdminRequest request) throws IOException {
    Map<String, DisabledUsers.Disabling> disabledUsers = new LinkedHashMap<>(disabled.all());
    List<UserFacts> list = new ArrayList<>();
    StringBuilder text = new StringBuilder();
    Map<String, UserAccount> kept = new LinkedHashMap<>();
    accounts.all().forEach(account -> kept.put(account.name(), account));
    List<User> everyone = new ArrayList<>(users.all());
    kept.values().forEach(account -> everyone.add(account.user()));
    for (User user : everyone) {
      UserAccount account = kept.get(user.name());
      int sessionCount = sessions.sessionsOf(user.name());
      Quota quota = quota(user);
      DisabledUsers.Disabling disabling = disabledUsers.remove(user.name());
      list.add(new UserFacts(user.name(), account == null ? "config" : "store", null,
          account == null ? null : account.version(), account == null ? null
          : account.keys().stream().map(key -> new Key(key.fingerprint(), key.comment())).toList(),
          user.home().toString(), user.permissions().stream().map(Permission::label).sorted().toList(), user.admin(),
          user.passwordHash() != null, user.publicKeys().size(), sessionCount, disabling != null,
          disabling == null ? null : disabling.reason(), disabling == null ? null : disabling.by(),
          disabling == null ? null : disabling.at().toString(), quota));
      text.append(user.name()).append("  ").append(user.home()).append("  ")
          .append(user.permissions().stream().map(Permission::label).sorted().collect(Collectors.joining(",")))
          .append(user.admin() ? "  admin" : "").append("  sessions ").append(sessionCount)
          .append(quota == null ? "" : "  quota " + quota.usedBytes() + "/" + quota.bytes() + " bytes, "
              + quota.usedFiles() + "/" + quota.files() + " files")
          .append(disabledText(disabling)).append('\n');
    }
    for (DisabledUsers.Disabling disabling : disabledUsers.values()) {
      list.add(new UserFacts(disabling.user(), null, false, null, null, null, null, null, null, null,
          sessions.sessionsOf(disabling.user()), true, disabling.reason(), disabling.by(), disabling.at().toString(),
          null));
      text.append(disabling.user()).append("  (not configured)").append(disabledText(disabling)).append('\n');
    }
    return AdminResponse.ok(text.length() == 0 ? "no users configured\n" : text.toString(), list);
  }

  /** The user's quota and usage; null without a quota. */
  private Quota quota(User user) throws IOException {
    if (user.quota().isNone()) {
      return null;
    }
    QuotaUsage usage = quotas.usage(user.name(), user.home(), user.quota());
    return new Quota(user.quota().bytes(), user.quota().files(), usage.bytes(), usage.files());
  }

  private static String disabledText(DisabledUsers.Disabling disabling) {
    return disabling == null ? "" : "  DISABLED by " + disabling.by() + " at " + disabling.at()
        + (disabling.reason().isEmpty() ? "" : ": " + disabling.reason());
  }
}
