package dev.ferry.jobs.sync;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.List;

/**
 * Which files of the source a sync takes, by their path relative to the source directory. A glob
 * without '/' matches a file's name in any directory ({@code *.csv}); one with '/' matches the whole
 * relative path ({@code reports/**.pdf}). No include globs: every file; an exclude wins over an include.
 */
final class SyncFilter {

  private final List<Glob> include;
  private final List<Glob> exclude;

  private record Glob(PathMatcher matcher, boolean wholePath) {
    boolean matches(Path relative) {
      return matcher.matches(wholePath ? relative : relative.getFileName());
    }
  }

  SyncFilter(List<String> include, List<String> exclude) {
    this.include = include.stream().map(SyncFilter::glob).toList();
    this.exclude = exclude.stream().map(SyncFilter::glob).toList();
  }

  private static Glob glob(String text) {
    return new Glob(FileSystems.getDefault().getPathMatcher("glob:" + text), text.contains("/"));
  }

  boolean takes(String relativePath) {
    Path relative = Path.of(relativePath);
    if (exclude.stream().anyMatch(g -> g.matches(relative))) {
      return false;
    }
    return include.isEmpty() || include.stream().anyMatch(g -> g.matches(relative));
  }
}
