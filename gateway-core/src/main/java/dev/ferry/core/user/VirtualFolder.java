package dev.ferry.core.user;

import dev.ferry.core.quota.QuotaLimit;
import dev.ferry.core.s3.S3Location;
import dev.ferry.core.s3.WriteOptions;
import java.util.Set;

/**
 * A folder of a user's tree that lives elsewhere in S3 ({@code users[].folders}): {@code /name} (one
 * level under the home's root) maps onto {@code target}, another bucket or prefix, with its own
 * {@code permissions} (a read-only library inside a writable home, a write-only drop box). It shows
 * in the root's listing as a directory and cannot itself be removed or renamed. {@code storage} names
 * the S3 service the target is on: {@code s3} (ferry.yaml's {@code s3:}) or an entry of
 * {@code storages:}; {@code objects} are the folder's own {@code s3:} write options, over that
 * service's defaults; {@code quota} is what its target may hold, counted for every user sharing it.
 */
public record VirtualFolder(String name, S3Location target, Set<Permission> permissions, String storage,
    WriteOptions objects, QuotaLimit quota) {

  public VirtualFolder {
    permissions = Set.copyOf(permissions);
  }

  /** Its path in the user's tree: {@code /name}. */
  public String path() {
    return "/" + name;
  }

  public boolean may(Permission permission) {
    return permissions.contains(permission);
  }

  /** Whether this folder's objects and {@code other}'s could be the same: one holds the other. */
  public static boolean overlap(S3Location a, S3Location b) {
    return a.bucket().equals(b.bucket()) && (a.key().startsWith(b.key()) || b.key().startsWith(a.key()));
  }
}
