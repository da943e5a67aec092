package dev.ferry.core.user;

import dev.ferry.core.s3.S3Location;
import dev.ferry.core.s3.WriteOptions;
import java.util.List;
import java.util.Set;

/**
 * A configured user: the bcrypt hash of their password, their home in S3 (a bucket and a key
 * prefix ending in "/", or "" for the whole bucket), what they may do there, SSH keys, where
 * and until when they may log in, and what the objects of their home are written with
 * ({@code objects}: their {@code s3:} options, over the node's; see {@link HomeWritePolicy}).
 */
public record User(String name, String passwordHash, S3Location home, Set<Permission> permissions,
    List<String> publicKeys, boolean admin, LoginLimits limits, WriteOptions objects) {

  public User {
    limits = limits == null ? LoginLimits.NONE : limits;
    objects = objects == null ? WriteOptions.NONE : objects;
  }

  /** A user who may log in from anywhere, for ever (what an embedding application's authenticator usually answers). */
  public User(String name, String passwordHash, S3Location home, Set<Permission> permissions,
      List<String> publicKeys, boolean admin) {
    this(name, passwordHash, home, permissions, publicKeys, admin, LoginLimits.NONE, WriteOptions.NONE);
  }

  public User(String name, String passwordHash, S3Location home, Set<Permission> permissions,
      List<String> publicKeys, boolean admin, LoginLimits limits) {
    this(name, passwordHash, home, permissions, publicKeys, admin, limits, WriteOptions.NONE);
  }

  public boolean may(Permission permission) {
    return permissions.contains(permission);
  }

  @Override
  public String toString() {
    return "User[" + name + " home=" + home + " permissions=" + permissions + "]";
  }
}
