package dev.ferry.jobs.watch;

import dev.ferry.core.path.FileGlobs;

/**
 * Which files of a watched folder are uploaded, by their path relative to the folder ("a/b.csv"):
 * those its include and exclude globs take ({@link FileGlobs}, as a sync's), and only if no name on
 * the path starts with '.', unless hidden ones are included. rsync, editors and many other writers
 * write a hidden temp file and rename it into place when it is whole, and only the renamed file is
 * wanted.
 */
final class FileSelection {

  private final FileGlobs globs;
  private final boolean hidden;

  FileSelection(FileGlobs globs, boolean hidden) {
    this.globs = globs;
    this.hidden = hidden;
  }

  /** Whether the file at {@code relative} is uploaded. */
  boolean accepts(String relative) {
    return enters(relative) && globs.takes(relative);
  }

  /** Whether the directory at {@code relative} is watched and scanned: hidden ones are not, unless included. */
  boolean enters(String relative) {
    return hidden || !(relative.startsWith(".") || relative.contains("/."));
  }
}
