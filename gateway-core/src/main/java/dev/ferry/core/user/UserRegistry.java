package dev.ferry.core.user;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The configured users by name, and password checks against them. */
public final class UserRegistry {

  private final Map<String, User> users = new LinkedHashMap<>();

  public UserRegistry(List<User> users) {
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
    return PasswordHasher.matches(user.passwordHash(), password) ? Optional.of(user) : Optional.empty();
  }

  private static final String DUMMY_HASH = PasswordHasher.hash("not-a-password".toCharArray());
}
