package dev.ferry.core.user;

import java.security.PublicKey;
import java.util.Optional;

/**
 * Users that an application embedding Ferry knows and ferry.yaml does not (its own user table, a
 * directory service): asked for a login whose name is not a configured user. The answer is the
 * {@link User} with its home and permissions, or empty to refuse. Ferry still delays refusals,
 * counts failures and bans addresses around it, as for configured users.
 *
 * <p>Called on a login thread, never on an I/O thread, so it may block for a network lookup; it
 * must not keep {@code password}. A source that cannot answer (down, slow) throws
 * {@link IdentityUnavailableException}: the login is refused without counting as the client's failure.
 */
public interface Authenticator {

  /** The user {@code name} when {@code password} is theirs; empty to refuse. */
  Optional<User> password(String name, char[] password);

  /** The user {@code name} when {@code key} is one of their SSH keys; empty to refuse (the default: no keys). */
  default Optional<User> publicKey(String name, PublicKey key) {
    return Optional.empty();
  }

  /** As {@link #password(String, char[])}, for a source that decides by where the login comes from too. */
  default Optional<User> password(String name, char[] password, LoginSource from) {
    return password(name, password);
  }

  /** As {@link #publicKey(String, PublicKey)}, for a source that decides by where the login comes from too. */
  default Optional<User> publicKey(String name, PublicKey key, LoginSource from) {
    return publicKey(name, key);
  }
}
