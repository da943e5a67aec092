package dev.ferry.jobs.watch;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.List;

/**
 * Which files of a watched folder are uploaded, by their path relative to the folder ("a/b.csv").
 * Names starting with '.' (files, and directories with all they hold) are left out unless hidden
 * ones are included: rsync, editors and many other writers write a hidden temp file and rename it
 * into place when it is whole, and only the renamed file is wanted. Globs are Java's
 * ({@code *}, {@code **}, {@code ?}, {@code [a-z]}, <code>{csv,tsv}</code>); one without a '/'
 * matches a file's name in any directory, one with a '/' the whole relative path.
 */
final class FileSelection {

  private record Glob(String text, PathMatcher matcher, boolean nameOnly) {
    boolean matches(Path relative) {
      return matcher.matches(nameOnly ? relative.getFileName() : relative);
    }
  }

  private final List<Glob> include;
  private final List<Glob> exclude;
  private final boolean hidden;

  /**
   * @param include globs of which a file must match one (none: every file)
   * @param exclude globs of which a file must match none
   * @throws IllegalArgumentException for a glob that is not one (see {@link #problemOf})
   */
  FileSelection(List<String> include, List<String> exclude, boolean hidden) {
    this.include = include.stream().map(FileSelection::glob).toList();
    this.exclude = exclude.stream().map(FileSelection::glob).toList();
    this.hidden = hidden;
  }

  private static Glob glob(String text) {
    return new Glob(text, FileSystems.getDefault().getPathMatcher("glob:" + text), !text.contains("/"));
  }

  /** What is wrong with {@code glob}, or null if it is one. */
  static String problemOf(String glob) {
    if (glob.isBlank()) {
      return "an empty glob matches nothing";
    }
    try {
      glob(glob);
      return null;
    } catch (IllegalArgumentException e) {
      return "'" + glob + "' is not a glob: " + e.getMessage().replace('\n', ' ');
    }
  }

  /** Whether the file at {@code relative} is uploaded. */
  boolean accepts(String relative) {
    if (!hidden && isHidden(relative)) {
      return false;
    }
    Path path = Path.of(relative);
    return (include.isEmpty() || include.stream().anyMatch(g -> g.matches(path)))
        && exclude.stream().noneMatch(g -> g.matches(path));
  }

  /** Whether the directory at {@code relative} is watched and scanned: hidden ones are not, unless included. */
  boolean enters(String relative) {
    return hidden || !isHidden(relative);
  }

  private static boolean isHidden(String relative) {
    return relative.startsWith(".") || relative.contains("/.");
  }
}
