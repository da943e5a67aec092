package dev.ferry.jobs.sync;

import java.time.Duration;
import java.util.List;

/**
 * A sync as configured under {@code syncs:}: where from, where to, when, and which files.
 * {@code fullEvery} is null when full runs only start by hand ({@code sync run NAME --full}).
 */
public record SyncDefinition(String name, String host, String remoteDir, String bucket, String prefix,
    Duration every, Duration fullEvery, List<String> include, List<String> exclude, Duration minAge, int parallel,
    boolean recursive, boolean deleteSource, boolean mirror) {

  public SyncSpec spec(boolean full) {
    return new SyncSpec(name, host, remoteDir, bucket, prefix, full, include, exclude, minAge.toSeconds(), parallel,
        recursive, deleteSource, mirror);
  }
}
