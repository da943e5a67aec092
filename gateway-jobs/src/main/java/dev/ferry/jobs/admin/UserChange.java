package dev.ferry.jobs.admin;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.ferry.core.user.DisabledUsers;
import dev.ferry.core.user.UserAccount;
import java.util.List;

/**
 * What the {@code user} command changed: after add, set and key, the account as kept (its keys by
 * fingerprint, and a generated password, shown once); after delete, disable and enable, what
 * happened to the user's sessions. What does not apply is null and left out of the JSON.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record UserChange(String user, String home, List<String> permissions, Boolean admin, List<String> keys,
    Long version, String generatedPassword, Boolean deleted, Boolean disabled, String reason, String by,
    Integer sessionsClosed, Boolean wasDisabled) {

  static UserChange account(UserAccount account, String generatedPassword) {
    return new UserChange(account.name(), account.home().toString(),
        account.permissions().stream().sorted().map(p -> p.label()).toList(), account.admin(),
        account.keys().stream().map(UserAccount.Key::fingerprint).toList(), account.version(), generatedPassword,
        null, null, null, null, null, null);
  }

  static UserChange deleted(String user, int sessionsClosed) {
    return new UserChange(user, null, null, null, null, null, null, true, null, null, null, sessionsClosed, null);
  }

  static UserChange disabled(String user, DisabledUsers.Disabling disabling, int sessionsClosed) {
    return new UserChange(user, null, null, null, null, null, null, null, true, disabling.reason(), disabling.by(),
        sessionsClosed, null);
  }

  static UserChange enabled(String user, boolean wasDisabled) {
    return new UserChange(user, null, null, null, null, null, null, null, false, null, null, null, wasDisabled);
  }
}
