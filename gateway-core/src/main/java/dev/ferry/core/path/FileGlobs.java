package dev.ferry.core.path;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.List;
import java.util.regex.PatternSyntaxException;

/**
 * The include and exclude globs of a sync or a watched folder, matched against a file's path
 * relative to the source directory ("a/b.csv"). Globs are Java's ({@code *}, {@code **}, {@code ?},
 * {@code [a-z]}, <code>{csv,tsv}</code>): one without '/' matches a file's name in any directory
 * ({@code *.csv}), one with '/' the whole relative path ({@code reports/**.pdf}). No include globs:
 * every file; an exclude wins over an include.
 */
public final class FileGlobs {

  private record Glob(PathMatcher matcher, boolean wholePath) {
    boolean matches(Path relative) {
      return matcher.matches(wholePath ? relative : relative.getFileName());
    }
  }

  private final List<Glob> include;
  private final List<Glob> exclude;

  /** @throws IllegalArgumentException for a glob that is not one (see {@link #problemOf}) */
  public FileGlobs(List<String> include, List<String> exclude) {
    this.include = include.stream().map(FileGlobs::glob).toList();
    this.exclude = exclude.stream().map(FileGlobs::glob).toList();
  }

  private static Glob glob(String text) {
    return new Glob(FileSystems.getDefault().getPathMatcher("glob:" + text), text.contains("/"));
  }

  /** What is wrong with {@code glob}, or null if it is one. */
  public static String problemOf(String glob) {
    if (glob.isBlank()) {
      return "an empty glob matches nothing";
    }
    try {
      glob(glob);
      return null;
    } catch (PatternSyntaxException e) {
      return "glob '" + glob + "' is not valid: " + e.getDescription();
    }
  }

  /** Whether the file at {@code relativePath} is taken. */
  public boolean takes(String relativePath) {
    Path relative = Path.of(relativePath);
    if (exclude.stream().anyMatch(g -> g.matches(relative))) {
      return false;
    }
    return include.isEmpty() || include.stream().anyMatch(g -> g.matches(relative));
  }
}
