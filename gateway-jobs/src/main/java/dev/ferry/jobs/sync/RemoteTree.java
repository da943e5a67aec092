package dev.ferry.jobs.sync;

import dev.ferry.core.path.BadPathException;
import dev.ferry.core.path.FileGlobs;
import dev.ferry.core.path.VirtualPath;
import dev.ferry.jobs.remote.RemoteEntry;
import dev.ferry.jobs.remote.RemoteException;
import dev.ferry.jobs.remote.RemoteFiles;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/**
 * The files of a sync's source directory, walked over SFTP. A link is followed only to a file
 * inside the source directory (never out of it, never to a directory: no loops); a name Ferry
 * cannot hold as an object key (over its 900-byte path limit, a backslash) is skipped with its
 * reason, never truncated. A directory that cannot be listed makes the listing {@code incomplete},
 * which a mirroring sync must not delete from.
 */
final class RemoteTree {

  /** A file to sync: its path below the source directory and what the listing said of it. */
  record RemoteFile(String relative, String path, long size, Instant modified) {}

  record Skipped(String relative, String reason) {}

  record Listing(List<RemoteFile> files, List<Skipped> skipped, List<String> errors) {
    boolean incomplete() {
      return !errors.isEmpty();
    }
  }

  private RemoteTree() {}

  static Listing walk(RemoteFiles remote, String dir, boolean recursive, String keyPrefix, FileGlobs filter)
      throws IOException {
    List<RemoteFile> files = new ArrayList<>();
    List<Skipped> skipped = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    Deque<String> pending = new ArrayDeque<>();
    pending.add("");
    while (!pending.isEmpty()) {
      String relativeDir = pending.poll();
      String absoluteDir = relativeDir.isEmpty() ? dir : dir + "/" + relativeDir;
      List<RemoteEntry> entries;
      try {
        entries = remote.list(absoluteDir);
      } catch (RemoteException e) {
        if (relativeDir.isEmpty() || e.kind() == RemoteException.Kind.CONNECTION) {
          throw e; // the source itself is unreadable, or the connection is gone: the run cannot go on
        }
        errors.add(e.getMessage());
        continue;
      }
      for (RemoteEntry entry : entries) {
        String relative = relativeDir.isEmpty() ? entry.name() : relativeDir + "/" + entry.name();
        String path = dir.equals("/") ? "/" + relative : dir + "/" + relative;
        RemoteEntry what = entry;
        if (entry.type() == RemoteEntry.Type.LINK) {
          Optional<RemoteEntry> target = followedInside(remote, path, dir);
          if (target.isEmpty()) {
            skipped.add(new Skipped(relative, "a link that leads out of " + dir + " (or nowhere) is not followed"));
            continue;
          }
          what = target.get();
          if (what.type() == RemoteEntry.Type.DIRECTORY) {
            skipped.add(new Skipped(relative, "a link to a directory is not followed"));
            continue;
          }
        }
        switch (what.type()) {
          case DIRECTORY -> {
            if (recursive) {
              pending.add(relative);
            }
          }
          case FILE -> {
            if (!filter.takes(relative)) {
              continue;
            }
            String problem = keyProblem(keyPrefix + relative);
            if (problem != null) {
              skipped.add(new Skipped(relative, problem));
            } else {
              files.add(new RemoteFile(relative, path, what.size(), what.modified()));
            }
          }
          default -> skipped.add(new Skipped(relative, "not a regular file"));
        }
      }
    }
    return new Listing(files, skipped, errors);
  }

  /** What a link leads to, when that is inside {@code dir}. */
  private static Optional<RemoteEntry> followedInside(RemoteFiles remote, String link, String dir) throws IOException {
    String real;
    try {
      real = remote.realPath(link);
    } catch (RemoteException e) {
      if (e.kind() == RemoteException.Kind.CONNECTION) {
        throw e;
      }
      return Optional.empty();
    }
    String inside = dir.equals("/") ? "/" : dir + "/";
    if (!real.startsWith(inside)) {
      return Optional.empty();
    }
    return remote.stat(real);
  }

  /** Why Ferry cannot hold an object under {@code key}, or null when it can. */
  private static String keyProblem(String key) {
    try {
      VirtualPath.parse("/" + key);
      return null;
    } catch (BadPathException e) {
      return e.getMessage();
    }
  }
}
