package dev.ferry.core.user;

import dev.ferry.core.s3.S3Location;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * A user kept as data in the state store ({@link UserAccounts}), with who made and last changed it
 * and its {@code version}, which each change raises: an update names the version it read, so two
 * administrators editing one user at once cannot overwrite each other unnoticed.
 */
public record UserAccount(String name, String passwordHash, S3Location home, Set<Permission> permissions,
    boolean admin, List<Key> keys, UserPolicy policy, String createdBy, Instant createdAt, String updatedBy,
    Instant updatedAt, long version) {

  /** One SSH public key: the authorized_keys line as given, its fingerprint (its name in the API), its comment. */
  public record Key(String line, String fingerprint, String comment, String addedBy, Instant addedAt) {}

  /** The user a login admits and a session runs as. */
  public User user() {
    return new User(name, passwordHash, home, permissions, keys.stream().map(Key::line).toList(), admin, policy);
  }

  public boolean hasPassword() {
    return passwordHash != null;
  }

  @Override
  public String toString() {
    return "UserAccount[" + name + " home=" + home + " permissions=" + permissions + " version=" + version + "]";
  }
}
