package dev.ferry.core.user;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The configured users by name, and password checks against them. */
public final class UserRegistry {

  /** How long a verified password skips bcrypt; long enough for a burst of parallel logins. */
  private static final Duration VERIFIED_LIFETIME = Duration.ofMinutes(5);

  private final Map<String, User> users = new LinkedHashMap<>();
  private final VerifiedPasswords verified;

  public UserRegistry(List<User> users) {
    this(users, Clock.systemUTC());
  }

  public UserRegistry(List<User> users, Clock clock) {
    this.verified = new VerifiedPasswords(clock, VERIFIED_LIFETIME);
    for (User user : users) {
      this.users.put(user.name(), user);
    }
  }

  public Optional<User> find(String name) {
    return Optional.ofNullable(users.get(name));
  }

  public List<User> all() {
    return List.copyOf(users.values());
  }

  /** The user, when the name exists and the password matches its hash. */
  public Optional<User> authenticate(String name, char[] password) {
    User user = users.get(name);
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

  private static final String DUMMY_HASH = PasswordHasher.hash("not-a-password".toCharArray());
}
