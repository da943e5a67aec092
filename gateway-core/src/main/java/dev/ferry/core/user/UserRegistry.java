package dev.ferry.core.user;

import dev.ferry.core.config.ConfigException;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The configured users by name, and password checks against them; for a name that is not
 * configured, the embedding application's {@link Authenticator} when it has one. A user it admits
 * is found by name afterwards (as a session looks its user up), as it was at the last login.
 */
public final class UserRegistry {

  /** How long a verified password skips bcrypt; long enough for a burst of parallel logins. */
  private static final Duration VERIFIED_LIFETIME = Duration.ofMinutes(5);

  private final Map<String, User> users = new LinkedHashMap<>();
  private final Map<String, User> admitted = new ConcurrentHashMap<>();
  private final VerifiedPasswords verified;
  private final Authenticator authenticator;

  public UserRegistry(List<User> users) {
    this(users, Clock.systemUTC(), null);
  }

  /**
   * @param authenticator the embedding application's, for names not among {@code users}; null: none
   * @throws ConfigException when there is no user at all: none configured and no authenticator
   */
  public UserRegistry(List<User> users, Clock clock, Authenticator authenticator) {
    if (users.isEmpty() && authenticator == null) {
      throw new ConfigException("users", "at least one user is required");
    }
    this.verified = new VerifiedPasswords(clock, VERIFIED_LIFETIME);
    this.authenticator = authenticator;
    for (User user : users) {
      this.users.put(user.name(), user);
    }
  }

  public Optional<User> find(String name) {
    User user = users.get(name);
    return Optional.ofNullable(user != null ? user : admitted.get(name));
  }

  /** Whether {@code name} is a configured user (whose SSH keys are in the config). */
  public boolean configured(String name) {
    return users.containsKey(name);
  }

  public List<User> all() {
    return List.copyOf(users.values());
  }

  /** The user, when the name exists and the password matches its hash, or the authenticator admits it. */
  public Optional<User> authenticate(String name, char[] password) {
    User user = users.get(name);
    if (user == null && authenticator != null) {
      return admittedBy(name, authenticator.password(name, password));
    }
    if (user == null) {
      // Same cost whether the name exists or not, so timing does not reveal valid names.
      PasswordHasher.matches(DUMMY_HASH, password);
      return Optional.empty();
    }
    if (verified.known(user, password)) {
      return Optional.of(user);
    }
    if (!PasswordHasher.matches(user.passwordHash(), password)) {
      return Optional.empty();
    }
    verified.remember(user, password);
    return Optional.of(user);
  }

  /** For a name that is not configured: the user whose key {@code key} is, as the authenticator says. */
  public Optional<User> authenticateKey(String name, PublicKey key) {
    return users.containsKey(name) || authenticator == null ? Optional.empty()
        : admittedBy(name, authenticator.publicKey(name, key));
  }

  /** The authenticator's answer for {@code name}, checked: a user of another name, or without a home, is refused. */
  private Optional<User> admittedBy(String name, Optional<User> answer) {
    if (answer == null || answer.isEmpty()) {
      return Optional.empty();
    }
    User user = answer.get();
    if (!name.equals(user.name()) || user.home() == null || user.permissions() == null
        || user.publicKeys() == null) {
      throw new IllegalStateException("the authenticator answered for login '" + name + "' with " + user
          + ": its name must be the login's, with a home, permissions and a key list (empty is fine)");
    }
    admitted.put(name, user);
    return answer;
  }

  private static final String DUMMY_HASH = PasswordHasher.hash("not-a-password".toCharArray());
}
