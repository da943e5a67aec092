package dev.ferry.core.user;

import dev.ferry.core.bandwidth.BandwidthLimit;
import dev.ferry.core.quota.QuotaLimit;
import dev.ferry.core.s3.S3Location;
import dev.ferry.core.s3.WriteOptions;
import java.util.List;
import java.util.Set;

/**
 * A configured user: the bcrypt hash of their password, their home in S3 (a bucket and a key
 * prefix ending in "/", or "" for the whole bucket), what they may do there, SSH keys, and their
 * {@link UserPolicy}: where and until when they may log in, what their objects are written with,
 * their bandwidth and their quota.
 */
public record User(String name, String passwordHash, S3Location home, Set<Permission> permissions,
    List<String> publicKeys, boolean admin, UserPolicy policy) {

  public User {
    policy = policy == null ? UserPolicy.NONE : policy;
  }

  /** A user without limits beyond the permissions (what an embedding application's authenticator usually answers). */
  public User(String name, String passwordHash, S3Location home, Set<Permission> permissions,
      List<String> publicKeys, boolean admin) {
    this(name, passwordHash, home, permissions, publicKeys, admin, UserPolicy.NONE);
  }

  public boolean may(Permission permission) {
    return permissions.contains(permission);
  }

  public LoginLimits limits() {
    return policy.login();
  }

  /** What the objects of this user's home are written with, over the node's defaults: see {@link Places}. */
  public WriteOptions objects() {
    return policy.objects();
  }

  public BandwidthLimit bandwidth() {
    return policy.bandwidth();
  }

  public QuotaLimit quota() {
    return policy.quota();
  }

  public List<VirtualFolder> folders() {
    return policy.folders();
  }

  @Override
  public String toString() {
    return "User[" + name + " home=" + home + " permissions=" + permissions + "]";
  }
}
