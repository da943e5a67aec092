package dev.ferry.core.store;

import dev.ferry.core.s3.S3Location;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The folders this node removed something under in the last {@link #WINDOW}, and when. S3 has no
 * folders: one without its own marker (its files written by another S3 client, a sync or a batch)
 * ends with its last file, and so does every folder above it that held nothing else. A client
 * deleting a tree name by name goes on using those folders: lftp's {@code rm -r} over FTP changes
 * into each parent before it removes the folder it emptied, FileZilla and WinSCP do the same, and
 * every client then removes each folder. On a disk they are still there. Here such a folder, with
 * nothing under it in S3, is an empty folder for this node until it is removed or the window ends;
 * a name this node never removed anything under is still nothing.
 *
 * <p>Not thread-safe: guarded by the lock of the {@link ListingCache} that holds it.
 */
final class RecentRemovals {

  /** Long enough for a client deleting a large folder file by file to reach its rmdir. */
  static final Duration WINDOW = Duration.ofMinutes(10);
  /**
   * Folders remembered at most (about 200 bytes each), shared by every session and job of this
   * node; past it the least recently removed under go first.
   */
  static final int MAX_FOLDERS = 4_096;

  private final Clock clock;
  private final Map<S3Location, Instant> removedAt = new LinkedHashMap<>(64, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<S3Location, Instant> eldest) {
      return size() > MAX_FOLDERS;
    }
  };

  RecentRemovals(Clock clock) {
    this.clock = clock;
  }

  /**
   * This node removed {@code key}: a file, or a folder's marker ("name/"), which removes that
   * folder for good. Every folder above it may have ended with it.
   */
  void removed(S3Location key) {
    if (key.key().endsWith("/")) {
      forgetUnder(key);
    }
    Instant now = clock.instant();
    forgetExpired(now);
    for (S3Location folder = ListingCache.parentOf(key); ; folder = ListingCache.parentOf(folder)) {
      removedAt.remove(folder);
      removedAt.put(folder, now);
      if (folder.key().isEmpty()) {
        return;
      }
    }
  }

  /** The oldest come first (each removal moves its folders to the end): those past the window go. */
  private void forgetExpired(Instant now) {
    Iterator<Instant> oldestFirst = removedAt.values().iterator();
    while (oldestFirst.hasNext() && now.isAfter(oldestFirst.next().plus(WINDOW))) {
      oldestFirst.remove();
    }
  }

  /** When this node last removed something under {@code folder}, if within the {@link #WINDOW}. */
  Optional<Instant> removedUnder(S3Location folder) {
    Instant at = removedAt.get(folder);
    return at != null && !clock.instant().isAfter(at.plus(WINDOW)) ? Optional.of(at) : Optional.empty();
  }

  /**
   * The folder {@code prefix} was removed, or moved away (a folder renamed): neither it nor any
   * folder emptied under it is a folder here now.
   */
  void forgetUnder(S3Location prefix) {
    removedAt.keySet().removeIf(folder -> folder.bucket().equals(prefix.bucket()) && folder.key().startsWith(prefix.key()));
  }
}
