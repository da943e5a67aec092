package dev.ferry.core.user;

import dev.ferry.core.bandwidth.BandwidthLimit;
import dev.ferry.core.quota.QuotaLimit;
import dev.ferry.core.s3.WriteOptions;
import java.util.List;

/**
 * What a user may do beyond their permissions, each part left out being no limit: where and until
 * when they may log in ({@code login}), what the objects of their home are written with
 * ({@code objects}, over the node's defaults), how fast their sessions on a node may go
 * ({@code bandwidth}), how much their home may hold ({@code quota}), and the folders of their
 * tree that live elsewhere in S3 ({@code folders}).
 */
public record UserPolicy(LoginLimits login, WriteOptions objects, BandwidthLimit bandwidth, QuotaLimit quota,
    List<VirtualFolder> folders) {

  public static final UserPolicy NONE = new UserPolicy(LoginLimits.NONE, WriteOptions.NONE, BandwidthLimit.NONE,
      QuotaLimit.NONE, List.of());

  public UserPolicy {
    login = login == null ? LoginLimits.NONE : login;
    objects = objects == null ? WriteOptions.NONE : objects;
    bandwidth = bandwidth == null ? BandwidthLimit.NONE : bandwidth;
    quota = quota == null ? QuotaLimit.NONE : quota;
    folders = folders == null ? List.of() : List.copyOf(folders);
  }

  /** A policy without folders. */
  public UserPolicy(LoginLimits login, WriteOptions objects, BandwidthLimit bandwidth, QuotaLimit quota) {
    this(login, objects, bandwidth, quota, List.of());
  }

  public UserPolicy withObjects(WriteOptions newObjects) {
    return new UserPolicy(login, newObjects, bandwidth, quota, folders);
  }
}
