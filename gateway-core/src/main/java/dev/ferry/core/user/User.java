package dev.ferry.core.user;

import dev.ferry.core.s3.S3Location;
import java.util.List;
import java.util.Set;

/**
 * A configured user: the bcrypt hash of their password, their home in S3 (a bucket and a key
 * prefix ending in "/", or "" for the whole bucket), what they may do there, and SSH keys.
 */
public record User(String name, String passwordHash, S3Location home, Set<Permission> permissions,
    List<String> publicKeys, boolean admin) {

  public boolean may(Permission permission) {
    return permissions.contains(permission);
  }

  @Override
  public String toString() {
    return "User[" + name + " home=" + home + " permissions=" + permissions + "]";
  }
}
