package dev.ferry.core.vfs;

import dev.ferry.core.path.VirtualPath;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The directories one session saw exist a moment ago, and for some of them which subdirectories
 * they held. A client that uploads many files into one directory (lftp's mirror, sftp's put -r) had
 * S3 list that directory again before every file: to answer "no such directory" as a disk would,
 * and to refuse a file over a directory of the same name. On S3Proxy's file store a listing costs
 * in proportion to the directory's size, so 2,000 files cost S3 two million entries read; on AWS
 * each is a round trip the client waits for. What is seen here holds for {@code listings.directoryCacheTime}
 * (5 s unless set; zero keeps nothing), and
 * this session's own mkdir, rmdir, rename and delete change or forget it at once. A directory
 * another session makes or removes meanwhile may be missed by one upload: the same outcome as that
 * upload starting a moment earlier.
 */
final class KnownDirectories {

  /** A session works in a few directories at a time; the oldest go first beyond this. */
  private static final int MAX_ENTRIES = 64;

  /** The subdirectories a directory had when it was listed (or made empty by this session). */
  private record Subdirectories(Instant at, Set<String> names) {}

  private final Clock clock;
  private final Duration freshFor;
  private final Map<VirtualPath, Instant> seenAt = lru();
  private final Map<VirtualPath, Subdirectories> subdirectories = lru();
  /** Counts this session's changes to directories, so that a listing begun before one is not kept. */
  private long changes;

  KnownDirectories(Clock clock, Duration freshFor) {
    this.clock = clock;
    this.freshFor = freshFor;
  }

  synchronized boolean seenRecently(VirtualPath directory) {
    Instant seen = seenAt.get(directory);
    if (seen == null) {
      return false;
    }
    if (stale(seen)) {
      seenAt.remove(directory);
      return false;
    }
    return true;
  }

  synchronized void seen(VirtualPath directory) {
    seenAt.put(directory, clock.instant());
  }

  /**
   * Whether {@code path} is a directory, if its parent's subdirectories are known and fresh; empty
   * when S3 has to be asked.
   */
  synchronized Optional<Boolean> isDirectory(VirtualPath path) {
    Subdirectories known = subdirectories.get(path.parent());
    if (known == null) {
      return Optional.empty();
    }
    if (stale(known.at())) {
      subdirectories.remove(path.parent());
      return Optional.empty();
    }
    return Optional.of(known.names().contains(path.name()));
  }

  /** A mark to hand back with a listing begun now: see {@link #listed}. */
  synchronized long mark() {
    return changes;
  }

  /**
   * {@code directory} was listed whole, beginning at {@code begun} with {@code mark}: it exists and
   * held these subdirectories, unless this session changed a directory since it began.
   */
  synchronized void listed(VirtualPath directory, Set<String> names, Instant begun, long mark) {
    if (mark == changes) {
      seenAt.put(directory, begun);
      subdirectories.put(directory, new Subdirectories(begun, Set.copyOf(names)));
    }
  }

  /** This session made {@code directory}: it has no subdirectories, and its parent one more. */
  synchronized void created(VirtualPath directory) {
    changes++;
    Instant now = clock.instant();
    seenAt.put(directory, now);
    subdirectories.put(directory, new Subdirectories(now, Set.of()));
    Subdirectories parent = subdirectories.get(directory.parent());
    if (parent != null) {
      Set<String> names = new HashSet<>(parent.names());
      names.add(directory.name());
      subdirectories.put(directory.parent(), new Subdirectories(parent.at(), Set.copyOf(names)));
    }
  }

  /**
   * Forgets {@code path} and everything below it, and what its parent held: this session removed or
   * moved it, or moved something there.
   */
  synchronized void forget(VirtualPath path) {
    changes++;
    seenAt.keySet().removeIf(known -> known.startsWith(path));
    subdirectories.keySet().removeIf(known -> known.startsWith(path));
    if (!path.isRoot()) {
      subdirectories.remove(path.parent());
    }
  }

  private boolean stale(Instant seen) {
    return freshFor.isZero() || clock.instant().isAfter(seen.plus(freshFor));
  }

  private static <V> Map<VirtualPath, V> lru() {
    return new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<VirtualPath, V> eldest) {
        return size() > MAX_ENTRIES;
      }
    };
  }
}
