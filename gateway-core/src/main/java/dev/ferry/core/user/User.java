package dev.ferry.core.user;

import dev.ferry.core.bandwidth.BandwidthLimit;
import dev.ferry.core.s3.S3Location;
import dev.ferry.core.s3.WriteOptions;
import java.util.List;
import java.util.Set;

/**
 * A configured user: the bcrypt hash of their password, their home in S3 (a bucket and a key
 * prefix ending in "/", or "" for the whole bucket), what they may do there, SSH keys, where
 * and until when they may log in, what the objects of their home are written with
 * ({@code objects}: their {@code s3:} options, over the node's; see {@link HomeWritePolicy}), and
 * the bandwidth their sessions on a node may use together.
 */
public record User(String name, String passwordHash, S3Location home, Set<Permission> permissions,
    List<String> publicKeys, boolean admin, LoginLimits limits, WriteOptions objects, BandwidthLimit bandwidth) {

  public User {
    limits = limits == null ? LoginLimits.NONE : limits;
    objects = objects == null ? WriteOptions.NONE : objects;
    bandwidth = bandwidth == null ? BandwidthLimit.NONE : bandwidth;
  }

  /** A user who may log in from anywhere, for ever (what an embedding application's authenticator usually answers). */
  public User(String name, String passwordHash, S3Location home, Set<Permission> permissions,
      List<String> publicKeys, boolean admin) {
    this(name, passwordHash, home, permissions, publicKeys, admin, LoginLimits.NONE, WriteOptions.NONE,
        BandwidthLimit.NONE);
  }

  public boolean may(Permission permission) {
    return permissions.contains(permission);
  }

  @Override
  public String toString() {
    return "User[" + name + " home=" + home + " permissions=" + permissions + "]";
  }
}
