package dev.ferry.core.vfs;

import dev.ferry.core.path.VirtualPath;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The directories one session saw exist a moment ago. A client that uploads many files into one
 * directory (lftp's mirror, sftp's put -r) had S3 list that directory again before every file, to
 * answer "no such directory" as a disk would; on S3Proxy's file store a listing costs in
 * proportion to the directory's size, so 2,000 files cost S3 two million entries read. A directory
 * seen here holds for {@link #FRESH_FOR}, and this session's own rmdir, rename and delete forget
 * it at once. A directory another session removes meanwhile may take one more upload, which brings
 * it back: the same outcome as that upload starting a moment earlier.
 */
final class KnownDirectories {

  static final Duration FRESH_FOR = Duration.ofSeconds(5);
  /** A session works in a few directories at a time; the oldest go first beyond this. */
  private static final int MAX_ENTRIES = 64;

  private final Clock clock;
  private final Map<VirtualPath, Instant> seenAt = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<VirtualPath, Instant> eldest) {
      return size() > MAX_ENTRIES;
    }
  };

  KnownDirectories(Clock clock) {
    this.clock = clock;
  }

  synchronized boolean seenRecently(VirtualPath directory) {
    Instant seen = seenAt.get(directory);
    if (seen == null) {
      return false;
    }
    if (clock.instant().isAfter(seen.plus(FRESH_FOR))) {
      seenAt.remove(directory);
      return false;
    }
    return true;
  }

  synchronized void seen(VirtualPath directory) {
    seenAt.put(directory, clock.instant());
  }

  /** Forgets {@code path} and everything below it: this session removed or moved it. */
  synchronized void forget(VirtualPath path) {
    seenAt.keySet().removeIf(known -> known.startsWith(path));
  }
}
