package dev.ferry.core.user;

import dev.ferry.core.config.ConfigException;
import dev.ferry.core.state.StateStoreException;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The users by name, and password checks against them: those ferry.yaml declares, then those kept
 * as data ({@link UserAccounts}, asked at each login, so a user made, changed or deleted on any
 * node is in force at the next login), then for a name neither knows the embedding application's
 * {@link Authenticator} when it has one. A user it admits is found by name afterwards (as a session
 * looks its user up), as it was at the last login.
 */
public final class UserRegistry {

  private static final Logger log = LoggerFactory.getLogger(UserRegistry.class);

  /** How long a verified password skips bcrypt; long enough for a burst of parallel logins. */
  private static final Duration VERIFIED_LIFETIME = Duration.ofMinutes(5);

  private final Map<String, User> users = new LinkedHashMap<>();
  private final Map<String, User> admitted = new ConcurrentHashMap<>();
  private final VerifiedPasswords verified;
  private final Authenticator authenticator;
  /** Users kept as data; null until {@link #keepAccountsIn} (an embedding without a state store has none). */
  private volatile UserAccounts accounts;
  /** Each stored user as last read, for a login while the state store cannot be asked. */
  private final Map<String, Optional<User>> lastRead = new ConcurrentHashMap<>();

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

  /**
   * From now on, names ferry.yaml does not declare are looked up in {@code accounts} too. A name
   * declared in both is refused here, naming it: never one silently shadowing the other.
   */
  public void keepAccountsIn(UserAccounts accounts) throws StateStoreException {
    for (String name : accounts.names()) {
      if (users.containsKey(name)) {
        throw new ConfigException("users", "user '" + name + "' is declared in ferry.yaml and also kept in the state"
            + " store (made through the API): remove one of them (DELETE /api/v1/users/" + name + ", or the entry)");
      }
    }
    this.accounts = accounts;
  }

  public Optional<User> find(String name) {
    User user = users.get(name);
    if (user != null) {
      return Optional.of(user);
    }
    Optional<User> kept = kept(name);
    return kept.isPresent() ? kept : Optional.ofNullable(admitted.get(name));
  }

  /**
   * The user kept as data under {@code name}, as the store says now; when it cannot be asked, as
   * this node last read it (a store outage neither locks every such user out nor admits one whose
   * deletion this node saw).
   */
  public Optional<User> kept(String name) {
    UserAccounts store = accounts;
    if (store == null || users.containsKey(name)) {
      return Optional.empty();
    }
    try {
      Optional<User> found = store.find(name).map(UserAccount::user);
      lastRead.put(name, found);
      return found;
    } catch (StateStoreException e) {
      Optional<User> known = lastRead.getOrDefault(name, Optional.empty());
      log.error("user {} could not be read from the state store ({}); as last read: {}", name, e.getMessage(),
          known.isPresent() ? "there" : "not there");
      return known;
    }
  }

  /**
   * Of {@code names} (users with sessions), those this node admitted as users kept as data and the
   * store no longer has: deleted, here or on another node. Empty when the store cannot be asked.
   */
  public Set<String> gone(Set<String> names) {
    UserAccounts store = accounts;
    if (store == null) {
      return Set.of();
    }
    Set<String> kept;
    try {
      kept = store.names();
    } catch (StateStoreException e) {
      log.warn("whether users were deleted is unknown: {}", e.getMessage());
      return Set.of();
    }
    Set<String> gone = new HashSet<>();
    for (String name : names) {
      if (lastRead.getOrDefault(name, Optional.empty()).isPresent() && !kept.contains(name)) {
        lastRead.put(name, Optional.empty());
        gone.add(name);
      }
    }
    return gone;
  }

  /** Whether {@code name} is a configured user (whose SSH keys are in the config). */
  public boolean configured(String name) {
    return users.containsKey(name);
  }

  public List<User> all() {
    return List.copyOf(users.values());
  }

  /** The user, when the name exists and the password matches its hash, or the authenticator admits it. */
  public Optional<User> authenticate(String name, char[] password, LoginSource from) {
    User user = users.get(name);
    if (user == null) {
      user = kept(name).orElse(null);
    }
    if (user == null && authenticator != null) {
      return admittedBy(name, authenticator.password(name, password, from));
    }
    if (user == null || user.passwordHash() == null) {
      // Same cost whether the name exists or not (or logs in by key only), so timing does not reveal valid names.
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

  /**
   * For a name neither declared nor kept as data: the user whose key {@code key} is, as the
   * authenticator says.
   */
  public Optional<User> authenticateKey(String name, PublicKey key, LoginSource from) {
    return users.containsKey(name) || authenticator == null ? Optional.empty()
        : admittedBy(name, authenticator.publicKey(name, key, from));
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
